// SPDX-License-Identifier: GPL-2.0
/*
 * Profile builder against the real Debian guest kernel (fetched by
 * scripts/fetch-kernel.sh into .cache/kernels/VERSION/, or XF_KERNEL_DIR),
 * plus error paths on damaged inputs. Tests needing the kernel SKIP when
 * it is absent.
 */
#include <bpf/libbpf.h>
#include <glob.h>
#include <limits.h>
#include <lz4.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "profile.h"

static struct xf_profile_path xs;	/* path half of profiles built to compare */
#include "tap.h"

#define KVER_61		"6.1.0-56-amd64"
#define INIT_TASK_61	0xffffffff82a1aa40ull	/* lab notes, /proc/kallsyms */

static char tmpdir[] = "/tmp/xf-test-profile.XXXXXX";

static int quiet(enum libbpf_print_level l, const char *f, va_list ap)
{
	return 0;
}

static void skip(const char *what, const char *why)
{
	tap_n++;
	printf("ok %d - %s # SKIP %s\n", tap_n, what, why);
}

/* A path in the test's directory; never freed, the test is short. */
static const char *tmp(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", tmpdir, name) < 0)
		abort();
	return p;
}

static int write_file(const char *path, const void *d, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(d, 1, len, f) == len;
	return fclose(f) || !ok ? -1 : 0;
}

/*
 * $XF_KERNEL_DIR, else a 6.1 kernel of .cache/kernels/ (scripts/kver's pick)
 * from cwd or build/unit
 */
static char *find_vmlinuz(void)
{
	const char *env = getenv("XF_KERNEL_DIR");
	char pat[PATH_MAX], exe[PATH_MAX];
	const char *bases[3];
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	if (strrchr(exe, '/'))
		*strrchr(exe, '/') = 0;
	strncat(exe, "/../../.cache/kernels/6.1.*-amd64", sizeof(exe) - strlen(exe) - 1);
	bases[0] = env;
	bases[1] = ".cache/kernels/6.1.*-amd64";
	bases[2] = exe;
	for (i = 0; i < 3; i++) {
		glob_t g;

		if (!bases[i])
			continue;
		snprintf(pat, sizeof(pat), "%s/boot/vmlinuz-*", bases[i]);
		if (!glob(pat, 0, NULL, &g) && g.gl_pathc) {
			char *r = strdup(g.gl_pathv[0]);

			globfree(&g);
			return r;
		}
		globfree(&g);
	}
	return NULL;
}

/* --- decompressors, on data made here with the libraries ------------- */

static void test_decompressors(void)
{
	static uint8_t in[200000], c[300000];
	struct xf_buf out;
	struct xf_perr e;
	size_t i, clen;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 / 13);

	{	/* gzip */
		z_stream z = { 0 };

		deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
		z.next_in = in;
		z.avail_in = sizeof(in);
		z.next_out = c;
		z.avail_out = sizeof(c);
		deflate(&z, Z_FINISH);
		clen = z.total_out;
		deflateEnd(&z);
		ok(!xf_decompress("gzip", c, clen, &out, &e) && out.len == sizeof(in) &&
		   !memcmp(out.data, in, sizeof(in)), "gzip round trip");
		xf_buf_free(&out);
		ok(xf_decompress("gzip", c, clen / 2, &out, &e), "gzip truncated: %s", e.msg);
	}
	{	/* xz and lzma-alone */
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_options_lzma opt;

		clen = 0;
		lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, in, sizeof(in),
					c, &clen, sizeof(c));
		ok(!xf_decompress("xz", c, clen, &out, &e) && out.len == sizeof(in) &&
		   !memcmp(out.data, in, sizeof(in)), "xz round trip");
		xf_buf_free(&out);
		ok(xf_decompress("xz", c, clen - 10, &out, &e), "xz truncated: %s", e.msg);

		lzma_lzma_preset(&opt, 1);
		clen = 0;
		if (lzma_alone_encoder(&s, &opt) == LZMA_OK) {
			s.next_in = in;
			s.avail_in = sizeof(in);
			s.next_out = c;
			s.avail_out = sizeof(c);
			if (lzma_code(&s, LZMA_FINISH) == LZMA_STREAM_END)
				clen = s.total_out;
		}
		lzma_end(&s);
		ok(!xf_decompress("lzma", c, clen, &out, &e) && out.len == sizeof(in) &&
		   !memcmp(out.data, in, sizeof(in)), "lzma round trip");
		xf_buf_free(&out);
	}
	{	/* zstd */
		clen = ZSTD_compress(c, sizeof(c), in, sizeof(in), 1);
		ok(!xf_decompress("zstd", c, clen, &out, &e) && out.len == sizeof(in) &&
		   !memcmp(out.data, in, sizeof(in)), "zstd round trip");
		xf_buf_free(&out);
		ok(xf_decompress("zstd", c, clen / 2, &out, &e), "zstd truncated: %s", e.msg);
	}
	{	/* lz4 legacy, as the kernel's "lz4 -l" writes it */
		uint32_t magic = 0x184c2102, blen;
		int n;

		memcpy(c, &magic, 4);
		n = LZ4_compress_default((const char *)in, (char *)c + 8,
					 sizeof(in), sizeof(c) - 12);
		blen = (uint32_t)n;
		memcpy(c + 4, &blen, 4);
		blen = sizeof(in);	/* appended size, as the kernel does */
		memcpy(c + 8 + n, &blen, 4);
		ok(!xf_decompress("lz4", c, 12 + (size_t)n, &out, &e) &&
		   out.len == sizeof(in) && !memcmp(out.data, in, sizeof(in)),
		   "lz4 legacy round trip");
		xf_buf_free(&out);
	}
	ok(xf_decompress("bzip2", in, 100, &out, &e) && strstr(e.msg, "bzip2"),
	   "unsupported method named: %s", e.msg);
}

static void test_symtab(void)
{
	struct xf_symtab t = { 0 };
	uint64_t a = 0;

	xf_symtab_add(&t, "dup", 3, 0x10, 't');
	xf_symtab_add(&t, "dup", 3, 0x20, 'T');
	xf_symtab_add(&t, "two", 3, 0x30, 't');
	xf_symtab_add(&t, "two", 3, 0x40, 't');
	xf_symtab_add(&t, "loc.12", 6, 0x50, 'd');
	xf_symtab_add(&t, "loc_other", 9, 0x60, 'd');
	xf_symtab_add(&t, "sfx.1", 5, 0x70, 'd');
	xf_symtab_add(&t, "sfx.2", 5, 0x80, 'd');
	ok(!xf_symtab_lookup(&t, "dup", &a) && a == 0x20, "global definition wins");
	is(xf_symtab_lookup(&t, "two", &a), -2, "two local definitions: ambiguous");
	ok(!xf_symtab_lookup(&t, "loc", &a) && a == 0x50, "name.N matches name");
	is(xf_symtab_lookup(&t, "sfx", &a), -2, "two name.N: ambiguous");
	is(xf_symtab_lookup(&t, "nope", &a), -1, "absent");
	xf_symtab_free(&t);
}

/* --- garbage in, error out ------------------------------------------- */

static void test_garbage(void)
{
	static uint8_t junk[1 << 20];
	struct xf_profile_src src = { 0 };
	struct xf_profile p;
	struct xf_perr e;
	size_t i;

	srand(42);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	write_file(tmp("junk"), junk, sizeof(junk));
	src.kernel = tmp("junk");
	ok(xf_profile_build(&src, &p, &xs, &e), "garbage file rejected: %s", e.msg);
	write_file(tmp("empty"), junk, 0);
	src.kernel = tmp("empty");
	ok(xf_profile_build(&src, &p, &xs, &e), "empty file rejected: %s", e.msg);
	src.kernel = tmp("does-not-exist");
	ok(xf_profile_build(&src, &p, &xs, &e) && strstr(e.msg, "does-not-exist"),
	   "missing file named: %s", e.msg);
	/* an ELF header claiming tables beyond the file */
	memcpy(junk, "\x7f" "ELF\x02\x01\x01", 7);
	write_file(tmp("badelf"), junk, 4096);
	src.kernel = tmp("badelf");
	ok(xf_profile_build(&src, &p, &xs, &e), "malformed ELF rejected: %s", e.msg);
}

/* --- the real kernel ------------------------------------------------- */

static struct xf_profile ref;
static struct xf_profile_path refx;

/* Does the image's kallsyms name this symbol? */
static bool image_has_symbol(const char *vmlinuz, const char *name)
{
	struct xf_symtab t = { 0 };
	enum xf_kernel_kind kind;
	struct xf_perr e = { "" };
	struct xf_buf img;
	uint64_t a;
	bool r;

	if (xf_kernel_load(vmlinuz, &img, &kind, &e) || kind != XF_KERNEL_ELF)
		return false;
	r = !xf_kallsyms_read(&img, &t, &e) && xf_symtab_lookup(&t, name, &a) != -1;
	xf_symtab_free(&t);
	xf_buf_free(&img);
	return r;
}

/* len bytes of the image at virtual address va, or NULL. */
static const uint8_t *image_at(const struct xf_buf *img, uint64_t va, size_t len)
{
	uint64_t off;

	return xf_elf_va_to_off(img, va, len, &off) ? img->data + off : NULL;
}

/*
 * Checks of the profile against what the image itself holds at the
 * addresses it names, independent of the symbol tables they came from
 * (kernels without a lab-measured address have no other reference): the
 * banner text at linux_banner; init_task's static initialiser (comm
 * "swapper", pid 0, tasks an empty list pointing at itself, as
 * init/init_task.c writes it) at init_task with BTF's offsets.
 */
static void test_image_data(const char *vmlinuz)
{
	const struct xf_profile *p = &ref;
	enum xf_kernel_kind kind;
	struct xf_perr e = { "" };
	const uint8_t *b, *t;
	struct xf_buf img;
	uint64_t next, tasks;
	uint32_t pid;

	if (xf_kernel_load(vmlinuz, &img, &kind, &e) || kind != XF_KERNEL_ELF) {
		ok(0, "decompress %s: %s", vmlinuz, e.msg);
		return;
	}
	b = image_at(&img, p->sym.linux_banner, 14 + strlen(p->release));
	ok(b && !memcmp(b, "Linux version ", 14) &&
	   !memcmp(b + 14, p->release, strlen(p->release)),
	   "linux_banner at %#llx reads \"Linux version %s\"",
	   (unsigned long long)p->sym.linux_banner, p->release);
	t = image_at(&img, p->sym.init_task, p->task.size);
	ok(t && !memcmp(t + p->task.comm.off, "swapper", 8),
	   "init_task at %#llx: comm \"swapper\" at task_struct.comm (%u)",
	   (unsigned long long)p->sym.init_task, p->task.comm.off);
	if (t)
		memcpy(&pid, t + p->task.pid.off, 4);
	ok(t && pid == 0, "init_task: pid 0 at task_struct.pid (%u)", p->task.pid.off);
	tasks = p->sym.init_task + p->task.tasks.off;
	if (t)
		memcpy(&next, t + p->task.tasks.off, 8);
	ok(t && next == tasks, "init_task.tasks.next points at itself (%#llx) at task_struct.tasks (%u)",
	   (unsigned long long)tasks, p->task.tasks.off);
	xf_buf_free(&img);
}

static void test_build(const char *vmlinuz)
{
	struct xf_profile_src src = { .kernel = vmlinuz };
	struct xf_perr e = { "" };
	int r;

	r = xf_profile_build(&src, &ref, &refx, &e);
	if (!ok(!r, "build profile from %s", vmlinuz))
		diag("%s", e.msg);
	if (r)
		exit(tap_done());
	ok(ref.flags & XF_PROFILE_F_KALLSYMS, "symbols from the image's kallsyms");
	ok(ref.flags & XF_PROFILE_F_KSYMTAB, "exported symbols cross-checked");
	ok(ref.flags & XF_PROFILE_F_BTF_ELF, "types from .BTF");
	ok(ref.nr_kallsyms > 50000, "kallsyms holds %u symbols", ref.nr_kallsyms);
	ok(!strncmp(ref.banner, "Linux version ", 14), "banner recorded");
	if (!strcmp(ref.release, KVER_61)) {
		is(ref.sym.init_task, INIT_TASK_61, "init_task at %#llx as in the guest's /proc/kallsyms",
		   (unsigned long long)INIT_TASK_61);
	} else {
		/*
		 * Another ABI of the series (scripts/kver picks the newest):
		 * no address measured in a guest, but both must lie in the
		 * image (and test_vmi_lookup walks a dump from init_task).
		 */
		ok(ref.sym.init_task > ref.sym._text &&
		   (!ref.sym._end || ref.sym.init_task < ref.sym._end) &&
		   !(ref.sym.init_task & 63),
		   "init_task at %#llx inside the image (%s)",
		   (unsigned long long)ref.sym.init_task, ref.release);
	}
	if (!strcmp(ref.release, KVER_61))
		is(ref.sym.inet_ehash_secret, 0xffffffff82c46b20ull,
		   "function-local static found as inet_ehash_secret.5");
	else if (ref.sym.inet_ehash_secret)
		ok(ref.sym.inet_ehash_secret > ref.sym._text &&
		   (!ref.sym._end || ref.sym.inet_ehash_secret < ref.sym._end),
		   "function-local static inet_ehash_secret.N found in the image");
	else
		/* 6.10 and later: a member of net_hotdata, no symbol of its own */
		ok(image_has_symbol(vmlinuz, "net_hotdata"),
		   "no inet_ehash_secret, and net_hotdata (that holds it) in kallsyms");
	is(ref.sym._text, 0xffffffff81000000ull, "_text at the x86_64 link address");
	is(ref.phys_start, 0x1000000, "_text loads at physical 16 MiB");
	ok(ref.sym.tasklist_lock && ref.sym.socket_file_ops && ref.sym.linux_banner,
	   "unexported symbols found (tasklist_lock, socket_file_ops, linux_banner)");
	test_image_data(vmlinuz);
}

static void test_relations(void)
{
	const struct xf_profile *p = &ref;
	struct xf_perr e = { "" };

	ok(!xf_profile_check(p, &refx, &e), "every member fits its struct: %s",
	   e.msg[0] ? e.msg : "yes");
	/* exe paths: the mount tree members, from BTF (struct mount). */
	is(refx.magic, XF_PROFILE_PATH_MAGIC, "path members found (struct mount, fs_struct)");
	is(refx.vfs.file_size, p->file.size, "path profile names the same struct file");
	ok(refx.vfs.mnt.size == refx.vfs.vfsmount_size &&
	   refx.vfs.mnt.off + refx.vfs.mnt.size <= refx.vfs.mount_size,
	   "vfsmount embedded in struct mount at %u", refx.vfs.mnt.off);
	is(refx.vfs.fs_root_dentry.off, refx.vfs.fs_root_mnt.off + 8,
	   "fs_struct.root is a struct path (mnt, dentry)");
	is(p->file.d_name_len.size, 4, "d_name.len is the u32 half of hash_len");
	is(p->file.d_name_name.off, p->file.d_name_len.off + 4,
	   "d_name.name follows hash_len");
	is(p->task.tgid.off, p->task.pid.off + 4, "tgid follows pid");
	is(p->task.comm.size, 16, "comm is TASK_COMM_LEN");
	is(p->sock.sk_common.off, 0, "sock starts with sock_common");
	ok(p->skc.size <= p->sock.size && p->sock.size <= p->sock.inet_sock_size,
	   "sock_common < sock < inet_sock");
	ok(p->inode.sa_socket.off + p->socket.size <= p->inode.sa_vfs_inode.off,
	   "socket_alloc: socket then inode");
	is(p->skc.skc_num.size, 2, "skc_num is a u16");
	is(p->skc.skc_dport.off + 2, p->skc.skc_num.off, "portpair: dport then num");
	is(p->skc.skc_v6_daddr.size, 16, "in6 address size");
	ok(p->sock.sk_protocol.size == 2 || p->sock.sk_protocol.bit_size == 8,
	   "sk_protocol recorded (u16 or 8-bit bitfield)");
	ok(p->skc.skc_ipv6only.bit_size == 1, "bitfield skc_ipv6only: 1 bit at shift %u",
	   p->skc.skc_ipv6only.bit_shift);
	is(p->cred.uid.size, 4, "kuid_t is 4 bytes");
	ok(xf_member_present(&p->task.thread_node), "thread_node present");
	is(p->lists.list_head_size, 16, "list_head is two pointers");
}

static void test_kallsyms_vs_ksymtab(const char *vmlinuz)
{
	struct xf_symtab ks = { 0 }, ex = { 0 };
	enum xf_kernel_kind kind;
	size_t i, agree = 0, differ = 0, absent = 0;
	struct xf_buf img;
	struct xf_perr e = { "" };

	if (xf_kernel_load(vmlinuz, &img, &kind, &e) || kind != XF_KERNEL_ELF) {
		ok(0, "decompress %s: %s", vmlinuz, e.msg);
		return;
	}
	i = xf_kallsyms_read(&img, &ks, &e);
	ok(!i, "kallsyms decoded (%zu symbols)", ks.n);
	i = xf_ksymtab_read(&img, &ex, &e);
	ok(!i && ex.n > 5000, "__ksymtab read (%zu exported)", ex.n);
	for (i = 0; i < ex.n; i++) {
		uint64_t a;

		if (xf_symtab_lookup(&ks, xf_sym_name(&ex, &ex.v[i]), &a))
			absent++;
		else if (a == ex.v[i].addr)
			agree++;
		else
			differ++;
	}
	ok(differ == 0 && absent == 0 && agree == ex.n,
	   "kallsyms agrees with every exported symbol (%zu agree, %zu differ, %zu absent)",
	   agree, differ, absent);

	/* The ELF alone (a "vmlinux") builds the same profile. */
	{
		struct xf_profile_src src = { .kernel = tmp("vmlinux") };
		struct xf_profile p;

		e.msg[0] = 0;
		write_file(tmp("vmlinux"), img.data, img.len);
		ok(!xf_profile_build(&src, &p, &xs, &e) && !memcmp(&p, &ref, sizeof(p)),
		   "vmlinux ELF gives the same profile");
	}
	/* Raw BTF + a System.map made from kallsyms gives the same types. */
	{
		struct xf_profile_src src = { .kernel = tmp("btf"),
					      .system_map = tmp("map") };
		struct xf_elf_sect s;
		struct xf_profile p;
		FILE *f = fopen(tmp("map"), "w");

		for (i = 0; i < ks.n; i++)
			fprintf(f, "%016llx %c %s\n", (unsigned long long)ks.v[i].addr,
				ks.v[i].type, xf_sym_name(&ks, &ks.v[i]));
		fclose(f);
		xf_elf_section(&img, ".BTF", &s);
		write_file(tmp("btf"), img.data + s.off, s.size);
		ok(!xf_profile_build(&src, &p, &xs, &e) &&
		   !memcmp(&p.task, &ref.task, (size_t)((char *)(&ref.lists + 1) - (char *)&ref.task)) &&
		   !memcmp(&p.sym, &ref.sym, sizeof(p.sym)) &&
		   (p.flags & XF_PROFILE_F_SYSTEM_MAP) && (p.flags & XF_PROFILE_F_BTF_RAW),
		   "raw BTF + System.map: same types and symbols%s%s", e.msg[0] ? ": " : "", e.msg);
		src.system_map = NULL;
		e.msg[0] = 0;
		ok(xf_profile_build(&src, &p, &xs, &e) && strstr(e.msg, "--system-map"),
		   "raw BTF alone asks for a symbol list: %s", e.msg);

		/* BTF that lacks a required member: the error names it. */
		{
			uint8_t *b = img.data + s.off;
			uint8_t *hit = memmem(b, s.size, "\0thread_node\0", 13);

			if (hit) {
				hit[11] = 'x';	/* thread_node -> thread_nodx */
				src.system_map = tmp("map");
				write_file(tmp("btf2"), b, s.size);
				src.kernel = tmp("btf2");
				ok(xf_profile_build(&src, &p, &xs, &e) &&
				   strstr(e.msg, "task_struct.thread_node"),
				   "BTF without thread_node: %s", e.msg);
				hit[11] = 'e';
			} else {
				skip("BTF without thread_node", "name not in BTF strings");
			}
		}
	}
	/* A System.map of another build is caught by the __ksymtab check. */
	{
		struct xf_profile_src src = { .kernel = tmp("vmlinux"),
					      .system_map = tmp("map2") };
		struct xf_profile p;
		FILE *f = fopen(tmp("map2"), "w");

		for (i = 0; i < ks.n; i++) {
			uint64_t a = ks.v[i].addr;

			if (!strcmp(xf_sym_name(&ks, &ks.v[i]), "init_task"))
				a += 0x1000;
			fprintf(f, "%016llx %c %s\n", (unsigned long long)a,
				ks.v[i].type, xf_sym_name(&ks, &ks.v[i]));
		}
		fclose(f);
		ok(xf_profile_build(&src, &p, &xs, &e) && strstr(e.msg, "init_task") &&
		   strstr(e.msg, "__ksymtab"), "mismatched System.map rejected: %s", e.msg);

		/* Debian's 83-byte stub System.map */
		f = fopen(tmp("map2"), "w");
		fprintf(f, "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
		fclose(f);
		ok(xf_profile_build(&src, &p, &xs, &e) && strstr(e.msg, "stub"),
		   "stub System.map: %s", e.msg);

		/* A real-looking list lacking our symbols: each one named. */
		f = fopen(tmp("map2"), "w");
		fprintf(f, "ffffffff81000000 T _text\nffffffff82a1aa40 D init_task\n");
		fclose(f);
		ok(xf_profile_build(&src, &p, &xs, &e) && strstr(e.msg, "tasklist_lock") &&
		   strstr(e.msg, "socket_file_ops") && !strstr(e.msg, "init_task"),
		   "missing symbols named: %s", e.msg);
	}
	/* Truncated images: an error, never a crash. */
	{
		struct xf_profile_src src = { .kernel = tmp("trunc") };
		struct xf_profile p;
		struct xf_buf bz;

		write_file(tmp("trunc"), img.data, img.len / 3);
		ok(xf_profile_build(&src, &p, &xs, &e), "ELF cut to a third: %s", e.msg);
		xf_buf_read_file(&bz, vmlinuz, &e);
		write_file(tmp("trunc"), bz.data, bz.len / 2);
		ok(xf_profile_build(&src, &p, &xs, &e), "vmlinuz cut in half: %s", e.msg);

		/* zstd payload in the same bzImage: header points at it */
		{
			size_t cap = ZSTD_compressBound(img.len), base, clen;
			uint32_t off, len;
			uint8_t *out;

			base = ((size_t)(bz.data[0x1f1] ? bz.data[0x1f1] : 4) + 1) * 512;
			memcpy(&off, bz.data + 0x248, 4);
			out = malloc(base + off + cap);
			memcpy(out, bz.data, base + off);
			clen = ZSTD_compress(out + base + off, cap, img.data, img.len, 1);
			len = (uint32_t)clen;
			memcpy(out + 0x24c, &len, 4);
			write_file(tmp("zstd.bz"), out, base + off + clen);
			free(out);
			src.kernel = tmp("zstd.bz");
			e.msg[0] = 0;
			ok(!xf_profile_build(&src, &p, &xs, &e) && !memcmp(&p, &ref, sizeof(p)),
			   "zstd bzImage gives the same profile%s%s", e.msg[0] ? ": " : "", e.msg);
		}
		xf_buf_free(&bz);
	}
	/* Damage inside the kallsyms tables: error or a still-consistent table. */
	{
		struct xf_symtab t = { 0 };
		int k, survived = 0, refused = 0;

		srand(7);
		for (k = 0; k < 3; k++) {
			struct xf_elf_sect ro;
			size_t j;

			xf_elf_section(&img, ".rodata", &ro);
			for (j = 0; j < 2000; j++)
				img.data[ro.off + (size_t)rand() % ro.size] ^= (uint8_t)(1 + rand() % 255);
			if (xf_kallsyms_read(&img, &t, &e))
				refused++;
			else
				survived++;
			xf_symtab_free(&t);
		}
		ok(survived + refused == 3, "damaged .rodata: %d refused, %d decoded, no crash",
		   refused, survived);
	}
	xf_symtab_free(&ks);
	xf_symtab_free(&ex);
	xf_buf_free(&img);
}

static void test_profile_file(void)
{
	struct xf_profile p = ref;
	struct xf_profile_path x;
	struct xf_perr e;
	uint8_t both[sizeof(ref) + sizeof(refx)];

	ok(!xf_profile_write(tmp("p"), &ref, &refx, &e) &&
	   !xf_profile_read(tmp("p"), &p, &x, &e) &&
	   !memcmp(&p, &ref, sizeof(p)) && !memcmp(&x, &refx, sizeof(x)),
	   "profile file round trip (with path members)");
	write_file(tmp("p"), &ref, sizeof(ref));
	ok(!xf_profile_read(tmp("p"), &p, &x, &e) && !x.magic,
	   "a profile file without path members reads, without exe paths");
	p.magic ^= 1;
	write_file(tmp("p"), &p, sizeof(p));
	ok(xf_profile_read(tmp("p"), &p, &x, &e) && strstr(e.msg, "magic"), "bad magic: %s", e.msg);
	p = ref;
	p.sock.sk_uid.off = p.sock.size;
	write_file(tmp("p"), &p, sizeof(p));
	ok(xf_profile_read(tmp("p"), &p, &x, &e) && strstr(e.msg, "sock.sk_uid"),
	   "member outside its struct: %s", e.msg);
	x = refx;
	x.vfs.mnt_parent.off = x.vfs.mount_size - 4;
	memcpy(both, &ref, sizeof(ref));
	memcpy(both + sizeof(ref), &x, sizeof(x));
	write_file(tmp("p"), both, sizeof(both));
	ok(xf_profile_read(tmp("p"), &p, &x, &e) && strstr(e.msg, "mount.mnt_parent"),
	   "path member outside its struct: %s", e.msg);
	x = refx;
	x.version++;
	memcpy(both + sizeof(ref), &x, sizeof(x));
	write_file(tmp("p"), both, sizeof(both));
	ok(xf_profile_read(tmp("p"), &p, &x, &e) && strstr(e.msg, "path members"),
	   "path members of another version: %s", e.msg);
	write_file(tmp("p"), &ref, sizeof(ref) - 8);
	ok(xf_profile_read(tmp("p"), &p, &x, &e), "short profile: %s", e.msg);
}

int main(void)
{
	char *vmlinuz;
	char cmd[PATH_MAX + 16];

	libbpf_set_print(quiet);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_decompressors();
	test_symtab();
	test_garbage();
	vmlinuz = find_vmlinuz();
	if (!vmlinuz) {
		skip("profile of the real guest kernel",
		     "no kernel: run scripts/fetch-kernel.sh or set XF_KERNEL_DIR");
	} else {
		test_build(vmlinuz);
		test_relations();
		test_profile_file();
		test_kallsyms_vs_ksymtab(vmlinuz);
		free(vmlinuz);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		diag("could not remove %s", tmpdir);
	return tap_done();
}
