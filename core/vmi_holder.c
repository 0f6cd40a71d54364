// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Which task holds a file: only asked when a rule needs pid, comm or exe
 * (the credentials come from the socket, core/vmi_owner.c).
 *
 * Two things make this cheap and fair against a guest user who shapes
 * fd tables and task lists to hide:
 *
 *  - fd tables are read through their open-fd bitmap (fdtable.open_fds):
 *    the fdtable in one read, one read per 4096 slots of bitmap, then one
 *    read per 64-slot word with a bit set. A process that dup2()s onto fd
 *    65535 costs 16 bitmap reads and one slot read, not 65536 slots.
 *  - a first pass searches every table in list order but each for at most
 *    VMI_QUICK_READS reads (every ordinary process fits); bigger tables
 *    are put aside and searched afterwards, those of tasks whose real uid
 *    is the socket's (its f_cred uid) first. Another user's processes
 *    thus cost a flow at most 7 reads each (list link, files and cred,
 *    five for the table) whatever their tables, and the budget is the
 *    caller's per flow. Too many big tables (> VMI_BIG): every table, the
 *    socket's uid's tasks first, then the others (PASS_SAME, PASS_OTHER).
 *
 * Same-uid first for every table was tried and measured: sockets are
 * often opened by root and held by a process that dropped privileges
 * (servers, the dump's workload), and the extra list walk cost more than
 * it saved (vmi-bench sock-task 428 vs scan 387 reads on the small dump;
 * 219 now).
 */
#include "vmi_priv.h"

#define VMI_BITMAP_WORDS 64	/* bitmap words per read: 4096 fds */

enum vmi_pass { PASS_SAME, PASS_OTHER, PASS_ALL, PASS_THREADS };

/*
 * fd tables already searched: kernel threads all share init_files, and
 * the threads of a process its leader's table, so most are seen again.
 */
#define VMI_SEEN 16
struct vmi_seen {
	uint64_t files[VMI_SEEN];
	uint32_t next;
};

/*
 * The other users' tasks PASS_SAME walked past, so PASS_OTHER need not
 * walk the list and read their creds again: it searches these tables,
 * then walks on from the first task that did not fit.
 */
#define VMI_DEFER 64
struct vmi_defer {
	uint64_t task[VMI_DEFER], files[VMI_DEFER];
	uint32_t n;
	uint32_t resume;	/* list index PASS_OTHER starts at */
	bool full;
};

static bool vmi_seen_has(const struct vmi_seen *sn, uint64_t files)
{
	uint32_t i;

	for (i = 0; i < VMI_SEEN; i++)
		if (sn->files[i] == files)
			return true;
	return false;
}

/* true if files was searched already; else remembers it. */
static bool vmi_seen(struct vmi_seen *sn, uint64_t files)
{
	if (vmi_seen_has(sn, files))
		return true;
	sn->files[sn->next++ % VMI_SEEN] = files;
	return false;
}

/*
 * The first pass searches every table in list order, but each for at
 * most VMI_QUICK_READS reads (the fdtable, one bitmap read, four words
 * with fds open: 256 open fds in the first 4096). Bigger tables are put
 * aside (up to VMI_BIG) and searched afterwards, the socket's uid's first:
 * a process with a huge table costs others a constant, whatever its size.
 */
#define VMI_QUICK_READS 5
#define VMI_FD_BIG 1		/* vmi_fd_find(): cap reached, not searched */
#define VMI_BIG 32
struct vmi_big {
	uint64_t task[VMI_BIG], files[VMI_BIG];
	uint32_t n;
	bool full;
};

struct vmi_find {
	uint64_t file;
	int32_t fd;
};

static int vmi_find_fd(struct xf_vmi *v, int32_t fd, uint64_t file, void *arg)
{
	struct vmi_find *f = arg;

	if (file != f->file)
		return 0;
	f->fd = fd;
	return 1;
}

/* The slots of one bitmap word (64 fds from base) that are open. */
static int vmi_word_find(struct xf_vmi *v, uint64_t fdarr, uint32_t base,
			 uint32_t n, uint64_t word, uint64_t file, int32_t *fd)
{
	uint64_t slots[64];
	uint32_t cnt = n - base < 64 ? n - base : 64, b;
	int r;

	if (!(word & (word - 1))) {
		/* one fd open in these 64: read just its slot */
		b = (uint32_t)__builtin_ctzll(word);
		r = vmi_read(v, fdarr + (uint64_t)(base + b) * 8, slots, 8);
		if (r)
			return r;
		if (slots[0] != file)
			return XF_VMI_ENOENT;
		*fd = (int32_t)(base + b);
		return XF_VMI_OK;
	}
	r = vmi_read(v, fdarr + (uint64_t)base * 8, slots, cnt * 8);
	if (r)
		return r;
	for (b = 0; b < cnt; b++) {
		if ((word >> b & 1) && slots[b] == file) {
			*fd = (int32_t)(base + b);
			return XF_VMI_OK;
		}
	}
	return XF_VMI_ENOENT;
}

/* cap: reads at most for this table (0: no cap), else VMI_FD_BIG. */
static int vmi_fd_find_cap(struct xf_vmi *v, uint64_t files, uint64_t file,
			   int32_t *fd, uint32_t cap)
{
	uint64_t start = v->reads;
	const struct xf_prof_files *f = &v->prof->files;
	const struct xf_member *om = &v->prof->own.open_fds;
	uint64_t fdt, fdarr, bits, max, words[VMI_BITMAP_WORDS];
	uint8_t buf[128];	/* struct fdtable is 56 bytes */
	uint32_t n, w, j, k, len = f->fdtable_size;
	int r;

	r = vmi_member_ptr(v, files, &f->fdt, 8, &fdt);
	if (r)
		return r;
	if (!fdt)
		return XF_VMI_ENOENT;
	if (!xf_member_fits(om, len) || len > sizeof(buf)) {
		/* no bitmap in the profile: every slot, as before */
		struct vmi_find fi = { file, -1 };

		r = vmi_fd_each(v, files, vmi_find_fd, &fi);
		if (r < 0)
			return r;
		if (fi.fd < 0)
			return XF_VMI_ENOENT;
		*fd = fi.fd;
		return XF_VMI_OK;
	}
	/* The whole fdtable in one read: max_fds, fd and open_fds. */
	r = vmi_read(v, fdt, buf, len);
	if (r)
		return r;
	max = vmi_buf_member(buf, len, &f->max_fds);
	fdarr = vmi_buf_member(buf, len, &f->fd);
	bits = vmi_buf_member(buf, len, om);
	if (!vmi_kptr_ok(fdarr, 8) || !vmi_kptr_ok(bits, 8))
		return XF_VMI_EPTR;
	/* max_fds is the guest's word: clamp it to ours. */
	n = max < v->lim.max_fds ? (uint32_t)max : v->lim.max_fds;
	for (w = 0; (uint64_t)w * 64 < n; w += k) {
		uint32_t left = (n - w * 64 + 63) / 64;

		k = left < VMI_BITMAP_WORDS ? left : VMI_BITMAP_WORDS;
		if (cap && v->reads - start >= cap)
			return VMI_FD_BIG;
		r = vmi_read(v, bits + (uint64_t)w * 8, words, k * 8);
		if (r)
			return r;
		for (j = 0; j < k; j++) {
			uint32_t base = (w + j) * 64;
			uint64_t word = words[j];

			if (n - base < 64)
				word &= (1ULL << (n - base)) - 1;
			if (!word)
				continue;
			if (cap && v->reads - start >= cap)
				return VMI_FD_BIG;
			r = vmi_word_find(v, fdarr, base, n, word, file, fd);
			if (r != XF_VMI_ENOENT)
				return r;	/* found, or a read failed */
		}
	}
	return XF_VMI_ENOENT;
}

int vmi_fd_find(struct xf_vmi *v, uint64_t files, uint64_t file, int32_t *fd)
{
	return vmi_fd_find_cap(v, files, file, fd, 0);
}

/*
 * task->files and task->real_cred: one read when they are close (104
 * bytes apart on 6.1 and 6.12), two otherwise.
 */
static int vmi_task_peek(struct xf_vmi *v, uint64_t task, uint64_t *files,
			 uint64_t *cred)
{
	const struct xf_prof_task *t = &v->prof->task;
	const struct xf_member *const m[2] = { &t->files, &t->real_cred };
	uint64_t x[2];
	int r;

	*files = *cred = 0;
	r = vmi_members(v, task, m, 2, x);
	if (r)
		return r;
	if ((x[0] && !vmi_kptr_ok(x[0], 8)) || (x[1] && !vmi_kptr_ok(x[1], 8)))
		return XF_VMI_EPTR;
	*files = x[0];
	*cred = x[1];
	return XF_VMI_OK;
}

/* Whether this pass looks at a task with this cred at all. */
static bool vmi_pass_wants(struct xf_vmi *v, enum vmi_pass pass,
			   uint64_t cred, uint32_t uid)
{
	uint64_t x;
	bool same;

	if (pass == PASS_ALL || pass == PASS_THREADS)
		return true;
	same = cred && !vmi_member(v, cred, &v->prof->cred.uid, &x) &&
	       (uint32_t)x == uid;
	return pass == PASS_SAME ? same : !same;
}

/*
 * One pass over the task list. The leader passes search the leaders'
 * tables; PASS_THREADS the tables of threads that do not share their
 * leader's (CLONE_THREAD without CLONE_FILES: legal, rare).
 */
static int vmi_holder_pass(struct xf_vmi *v, enum vmi_pass pass, uint64_t file,
			   uint32_t uid, struct vmi_seen *sn, struct vmi_defer *d,
			   uint64_t *task_out, int32_t *fd)
{
	const struct xf_profile *pr = v->prof;
	uint64_t head, cur, next;
	struct vmi_cycle cyc;
	uint32_t n;
	int r;

	head = vmi_sym(v, pr->sym.init_task) + pr->task.tasks.off;
	cur = head;
	vmi_cycle_init(&cyc, head);
	for (n = 0;; n++) {
		struct vmi_files_set set = { .n = 0 };
		uint64_t task, files = 0, cred = 0;
		uint32_t i;

		r = vmi_member_ptr(v, cur, &pr->lists.list_next, 8, &next);
		if (r)
			return r;
		if (next == head)
			return XF_VMI_ENOENT;
		if (!next)
			return XF_VMI_EPTR;
		if (n >= v->lim.max_tasks || vmi_cycle_step(&cyc, next))
			return XF_VMI_ELOOP;
		cur = next;
		task = next - pr->task.tasks.off;
		if (pass == PASS_OTHER && n < d->resume)
			continue;	/* deferred or searched: done */
		r = vmi_task_peek(v, task, &files, &cred);
		if (r == XF_VMI_EBUDGET)
			return r;
		if (r)
			files = cred = 0;	/* garbage task: skip it */
		/* No table (a zombie leader): nothing to search in it. */
		if (!files && pass != PASS_THREADS)
			continue;
		if (!vmi_pass_wants(v, pass, cred, uid)) {
			if (!v->reads_left)
				return XF_VMI_EBUDGET;
			if (pass == PASS_SAME && !d->full) {
				if (d->n < VMI_DEFER) {
					d->task[d->n] = task;
					d->files[d->n++] = files;
					d->resume = n + 1;
				} else {
					d->full = true;
				}
			}
			continue;
		}
		if (pass == PASS_THREADS) {
			r = vmi_proc_files(v, task, &set, NULL);
			if (r)
				return r;
		} else if (files) {
			set.files[set.n++] = files;
		}
		for (i = 0; i < set.n; i++) {
			/* the leader's table was searched by a leader pass */
			if (pass == PASS_THREADS && set.files[i] == files)
				continue;
			if (vmi_seen(sn, set.files[i]))
				continue;
			r = vmi_fd_find(v, set.files[i], file, fd);
			if (r == XF_VMI_OK) {
				*task_out = task;
				return XF_VMI_OK;
			}
			if (r == XF_VMI_EBUDGET)
				return r;
		}
	}
}

/* PASS_OTHER's first part: the tables PASS_SAME put aside. */
static int vmi_deferred(struct xf_vmi *v, const struct vmi_defer *d,
			uint64_t file, struct vmi_seen *sn, uint64_t *task,
			int32_t *fd)
{
	uint32_t i;
	int r;

	for (i = 0; i < d->n; i++) {
		if (vmi_seen(sn, d->files[i]))
			continue;
		r = vmi_fd_find(v, d->files[i], file, fd);
		if (r == XF_VMI_OK) {
			*task = d->task[i];
			return r;
		}
		if (r == XF_VMI_EBUDGET)
			return r;
	}
	return XF_VMI_ENOENT;
}

/* Every leader's table in list order, each for a few reads at most. */
static int vmi_quick_pass(struct xf_vmi *v, uint64_t file, struct vmi_seen *sn,
			  struct vmi_big *big, uint64_t *task_out, int32_t *fd)
{
	const struct xf_profile *pr = v->prof;
	uint64_t head, cur, next;
	struct vmi_cycle cyc;
	uint32_t n;
	int r;

	head = vmi_sym(v, pr->sym.init_task) + pr->task.tasks.off;
	cur = head;
	vmi_cycle_init(&cyc, head);
	for (n = 0;; n++) {
		uint64_t task, files = 0, cred = 0;

		r = vmi_member_ptr(v, cur, &pr->lists.list_next, 8, &next);
		if (r)
			return r;
		if (next == head)
			return XF_VMI_ENOENT;
		if (!next)
			return XF_VMI_EPTR;
		if (n >= v->lim.max_tasks || vmi_cycle_step(&cyc, next))
			return XF_VMI_ELOOP;
		cur = next;
		task = next - pr->task.tasks.off;
		r = vmi_task_peek(v, task, &files, &cred);
		if (r == XF_VMI_EBUDGET)
			return r;
		if (r || !files || vmi_seen_has(sn, files))
			continue;
		r = vmi_fd_find_cap(v, files, file, fd, VMI_QUICK_READS);
		if (r == XF_VMI_OK) {
			*task_out = task;
			return r;
		}
		if (r == XF_VMI_EBUDGET)
			return r;
		if (r != VMI_FD_BIG) {
			vmi_seen(sn, files);	/* searched (or unreadable) */
			continue;
		}
		if (big->n < VMI_BIG) {
			big->task[big->n] = task;
			big->files[big->n++] = files;
		} else {
			big->full = true;
		}
	}
}

/* The big tables, those of tasks of the socket's uid first. */
static int vmi_big_search(struct xf_vmi *v, const struct vmi_big *big,
			  uint64_t file, uint32_t uid, bool by_uid,
			  uint64_t *task, int32_t *fd)
{
	uint32_t round, i;
	int r;

	for (round = by_uid ? 0 : 1; round < 2; round++) {
		for (i = 0; i < big->n; i++) {
			uint64_t files, cred;
			bool same;

			if (by_uid) {
				r = vmi_task_peek(v, big->task[i], &files, &cred);
				if (r == XF_VMI_EBUDGET)
					return r;
				same = !r && vmi_pass_wants(v, PASS_SAME, cred, uid);
				if (same != (round == 0))
					continue;
			}
			r = vmi_fd_find(v, big->files[i], file, fd);
			if (r == XF_VMI_OK) {
				*task = big->task[i];
				return r;
			}
			if (r == XF_VMI_EBUDGET)
				return r;
		}
	}
	return XF_VMI_ENOENT;
}

int vmi_holder_find(struct xf_vmi *v, uint64_t file, uint32_t uid,
		    bool by_uid, struct xf_vmi_proc *p, int32_t *fd)
{
	static const enum vmi_pass by[] = { PASS_SAME, PASS_OTHER, PASS_THREADS };
	static const enum vmi_pass any[] = { PASS_ALL, PASS_THREADS };
	static const enum vmi_pass threads[] = { PASS_THREADS };
	const enum vmi_pass *passes = by_uid ? by : any;
	uint32_t i, np = by_uid ? XF_ARRAY_SIZE(by) : XF_ARRAY_SIZE(any);
	struct vmi_seen sn = { .next = 0 };
	struct vmi_defer d = { .n = 0, .resume = 0, .full = false };
	struct vmi_big big = { .n = 0, .full = false };
	uint64_t task = 0;
	int r;

	memset(sn.files, 0, sizeof(sn.files));
	r = vmi_quick_pass(v, file, &sn, &big, &task, fd);
	if (r == XF_VMI_OK)
		return vmi_proc_read(v, task, p);
	if (r == XF_VMI_EBUDGET)
		return r;
	if (r == XF_VMI_ENOENT && !big.full) {
		/* every small table searched: the big ones, then threads */
		r = vmi_big_search(v, &big, file, uid, by_uid, &task, fd);
		if (r == XF_VMI_OK)
			return vmi_proc_read(v, task, p);
		if (r == XF_VMI_EBUDGET)
			return r;
		passes = threads;
		np = 1;
	}
	/* too many big tables (or a broken list): every table, uid first */
	for (i = 0; i < np; i++) {
		if (passes[i] == PASS_OTHER) {
			r = vmi_deferred(v, &d, file, &sn, &task, fd);
			if (r == XF_VMI_OK)
				return vmi_proc_read(v, task, p);
			if (r == XF_VMI_EBUDGET)
				return r;
			if (!d.full)
				continue;	/* every other task was deferred */
		}
		r = vmi_holder_pass(v, passes[i], file, uid, &sn, &d, &task, fd);
		if (r == XF_VMI_OK)
			return vmi_proc_read(v, task, p);
		if (r == XF_VMI_EBUDGET)
			return r;
	}
	return r;
}
