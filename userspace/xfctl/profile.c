// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl profile build --kernel FILE [--system-map FILE] [--btf FILE] -o OUT
 * xfctl profile show FILE
 *
 * build turns a guest kernel as shipped (vmlinuz, vmlinux or raw BTF plus
 * a symbol list) into the profile the walker reads; show prints one, as a
 * table or (-j) as JSON.
 */
#include <bpf/libbpf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "profile.h"
#include "xfctl.h"

/* libbpf prints parse failures itself; our error message says it all. */
static int quiet_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return 0;
}

static int profile_usage(FILE *f)
{
	fprintf(f, "Usage: xfctl profile build --kernel FILE [--system-map FILE] [--btf FILE] -o OUT\n"
		   "       xfctl [-j] [-p] profile show FILE\n"
		   "FILE for --kernel: a vmlinuz (bzImage), a vmlinux ELF, or raw BTF\n"
		   "(then --system-map is needed). --system-map takes a System.map\n"
		   "or a copy of /proc/kallsyms instead of the image's own kallsyms.\n");
	return f == stdout ? 0 : 2;
}

static int profile_build(int argc, char **argv)
{
	struct xf_profile_src src = { 0 };
	const char *out = NULL;
	struct xf_profile_path x;
	struct xf_profile p;
	struct xf_perr e;
	int i;

	for (i = 0; i < argc; i++) {
		const char **slot = NULL;

		if (!strcmp(argv[i], "--kernel") || !strcmp(argv[i], "-k"))
			slot = &src.kernel;
		else if (!strcmp(argv[i], "--system-map") || !strcmp(argv[i], "-m"))
			slot = &src.system_map;
		else if (!strcmp(argv[i], "--btf"))
			slot = &src.btf;
		else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))
			slot = &out;
		if (!slot) {
			xfctl_err("profile build: unknown argument '%s'", argv[i]);
			return profile_usage(stderr);
		}
		if (i + 1 >= argc) {
			xfctl_err("profile build: '%s' needs a value", argv[i]);
			return 2;
		}
		*slot = argv[++i];
	}
	if (!src.kernel || !out) {
		xfctl_err("profile build: --kernel and -o are required");
		return profile_usage(stderr);
	}
	libbpf_set_print(quiet_libbpf);
	if (xf_profile_build(&src, &p, &x, &e) ||
	    xf_profile_write(out, &p, &x, &e)) {
		xfctl_err("profile build: %s", e.msg);
		return 1;
	}
	if (!xfctl_opts.json)
		printf("%s: profile of %s, %u kallsyms%s\n", out,
		       p.release[0] ? p.release : "(unknown release)",
		       p.nr_kallsyms,
		       x.magic ? "" : " (no mount members: no exe paths)");
	return 0;
}

/* --- JSON, enough for one flat-ish object --------------------------- */

struct jw {
	bool pretty, first;
	int depth;
};

static void jw_sep(struct jw *w)
{
	if (!w->first)
		putchar(',');
	w->first = false;
	if (w->pretty)
		printf("\n%*s", 2 * w->depth, "");
}

static void jw_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	jw_str(k);
	fputs(w->pretty ? ": " : ":", stdout);
}

static void jw_open(struct jw *w, const char *k)
{
	if (k)
		jw_key(w, k);
	putchar('{');
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w)
{
	w->depth--;
	if (w->pretty && !w->first)
		printf("\n%*s", 2 * w->depth, "");
	putchar('}');
	w->first = false;
}

static uint32_t u32_at(const uint8_t *base, uint32_t off)
{
	uint32_t v;

	memcpy(&v, base + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const struct xf_profile *p, uint32_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

/* A field of p or x; members of a missing x read as absent. */
static struct xf_member member_at(const struct xf_type_field *tf,
				  const struct xf_profile *p,
				  const struct xf_profile_path *x)
{
	struct xf_member m = { .off = XF_MEMBER_ABSENT };

	if (!(tf->flags & XF_FIELD_PATH) || x->magic)
		memcpy(&m, xf_field_base(tf, p, x) + tf->prof_off, sizeof(m));
	return m;
}

static uint32_t size_at(const struct xf_type_field *tf,
			const struct xf_profile *p,
			const struct xf_profile_path *x)
{
	if ((tf->flags & XF_FIELD_PATH) && !x->magic)
		return 0;
	return u32_at(xf_field_base(tf, p, x), tf->prof_off);
}

/* "path." marks the members of struct xf_profile_path. */
static const char *field_prefix(const struct xf_type_field *tf)
{
	return tf->flags & XF_FIELD_PATH ? "path." : "";
}

static const char *const flag_names[] = {
	"kallsyms", "system-map", "ksymtab-checked", "btf-elf", "btf-raw",
};

static void show_json(const struct xf_profile *p,
		      const struct xf_profile_path *x)
{
	struct jw w = { .pretty = xfctl_opts.pretty, .first = true };
	char hex[32];
	size_t i;

	jw_open(&w, NULL);
	jw_key(&w, "version");
	printf("%u", p->version);
	jw_key(&w, "release");
	jw_str(p->release);
	jw_key(&w, "banner");
	jw_str(p->banner);
	jw_key(&w, "sources");
	putchar('[');
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (p->flags & (1u << i)) {
			if (p->flags & ((1u << i) - 1))
				putchar(',');
			jw_str(flag_names[i]);
		}
	putchar(']');
	jw_key(&w, "nr_kallsyms");
	printf("%u", p->nr_kallsyms);
	snprintf(hex, sizeof(hex), "%#" PRIx64, p->kernel_map);
	jw_key(&w, "kernel_map");
	jw_str(hex);
	snprintf(hex, sizeof(hex), "%#" PRIx64, p->phys_start);
	jw_key(&w, "phys_start");
	jw_str(hex);

	/* Addresses as strings: JSON numbers lose 64-bit precision. */
	jw_open(&w, "symbols");
	for (i = 0; i < xf_nr_sym_fields; i++) {
		uint64_t a = u64_at(p, xf_sym_fields[i].prof_off);

		jw_key(&w, xf_sym_fields[i].name);
		if (!a) {
			fputs("null", stdout);
			continue;
		}
		snprintf(hex, sizeof(hex), "%#" PRIx64, a);
		jw_str(hex);
	}
	jw_close(&w);

	jw_open(&w, "sizes");
	for (i = 0; i < xf_nr_type_fields; i++)
		if (!xf_type_fields[i].member) {
			const struct xf_type_field *tf = &xf_type_fields[i];
			char key[128];

			snprintf(key, sizeof(key), "%s%s", field_prefix(tf),
				 tf->type);
			jw_key(&w, key);
			printf("%u", size_at(tf, p, x));
		}
	jw_close(&w);

	jw_open(&w, "members");
	for (i = 0; i < xf_nr_type_fields; i++) {
		const struct xf_type_field *tf = &xf_type_fields[i];
		struct xf_member m;
		char key[128];

		if (!tf->member)
			continue;
		m = member_at(tf, p, x);
		snprintf(key, sizeof(key), "%s%s.%s", field_prefix(tf),
			 tf->type, tf->member);
		jw_key(&w, key);
		if (!xf_member_present(&m)) {
			fputs("null", stdout);
			continue;
		}
		printf("{\"offset\":%u,\"size\":%u", m.off, m.size);
		if (m.bit_size)
			printf(",\"bit_shift\":%u,\"bit_size\":%u",
			       m.bit_shift, m.bit_size);
		putchar('}');
	}
	jw_close(&w);
	jw_close(&w);
	putchar('\n');
}

static void show_text(const struct xf_profile *p,
		      const struct xf_profile_path *x)
{
	size_t i;

	printf("release:     %s\n", p->release[0] ? p->release : "-");
	printf("banner:      %.*s\n", (int)strcspn(p->banner, "\n"), p->banner);
	printf("sources:    ");
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (p->flags & (1u << i))
			printf(" %s", flag_names[i]);
	printf("\nkallsyms:    %u symbols\n", p->nr_kallsyms);
	printf("kernel map:  %#" PRIx64 ", _text at physical %#" PRIx64 "\n",
	       p->kernel_map, p->phys_start);
	printf("\nsymbols:\n");
	for (i = 0; i < xf_nr_sym_fields; i++) {
		uint64_t a = u64_at(p, xf_sym_fields[i].prof_off);

		if (a)
			printf("  %-20s %016" PRIx64 "\n", xf_sym_fields[i].name, a);
		else
			printf("  %-20s -\n", xf_sym_fields[i].name);
	}
	printf("\ntypes:                                     offset  size\n");
	for (i = 0; i < xf_nr_type_fields; i++) {
		const struct xf_type_field *tf = &xf_type_fields[i];
		struct xf_member m;
		char key[128];

		if (!tf->member) {
			snprintf(key, sizeof(key), "%s%s", field_prefix(tf),
				 tf->type);
			printf("  %-40s         %5u\n", key, size_at(tf, p, x));
			continue;
		}
		snprintf(key, sizeof(key), "%s%s.%s", field_prefix(tf),
			 tf->type, tf->member);
		m = member_at(tf, p, x);
		if (!xf_member_present(&m))
			printf("  %-40s      -      -\n", key);
		else if (m.bit_size)
			printf("  %-40s %6u %5u  bits %u+%u\n", key, m.off,
			       m.size, m.bit_shift, m.bit_size);
		else
			printf("  %-40s %6u %5u\n", key, m.off, m.size);
	}
}

static int profile_show(int argc, char **argv)
{
	struct xf_profile_path x;
	struct xf_profile p;
	struct xf_perr e;
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			xfctl_opts.json = true;
		else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			xfctl_opts.pretty = true;
		else if (!path)
			path = argv[i];
		else {
			xfctl_err("profile show: unexpected argument '%s'", argv[i]);
			return 2;
		}
	}
	if (!path) {
		xfctl_err("profile show: which profile file?");
		return profile_usage(stderr);
	}
	if (xf_profile_read(path, &p, &x, &e)) {
		xfctl_err("profile show: %s", e.msg);
		return 1;
	}
	if (xfctl_opts.json)
		show_json(&p, &x);
	else
		show_text(&p, &x);
	return 0;
}

int cmd_profile(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "-h"))
		return profile_usage(argc < 2 ? stderr : stdout);
	if (!strcmp(argv[1], "build"))
		return profile_build(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return profile_show(argc - 2, argv + 2);
	xfctl_err("profile: unknown command '%s' (build or show)", argv[1]);
	return 2;
}
