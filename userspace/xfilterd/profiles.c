// SPDX-License-Identifier: GPL-2.0
/*
 * Which profile fits a guest. The guest's own memory decides: a candidate
 * kernel is accepted only if its linux_banner is found in the guest at a
 * valid KASLR slide (xf_mem_find_slide), so a wrong image is rejected, not
 * trusted. Candidates, in order: a profile or image pinned to the guest
 * (--pin), the kernel libxl booted it with, then every vmlinuz* or vmlinux* file
 * on the search path. Profiles built from an image are cached in memory
 * and under profile_dir, keyed by the image's name, size and mtime.
 *
 * Runs on the prep thread only.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "profile.h"
#include "xfilterd.h"

#define XFD_MAX_CANDIDATES 64
#define XFD_MAX_CACHED 32
#define XFD_LIBXL_JSON_MAX (1 << 20)

struct cached_profile {
	char path[256];
	off_t size;
	time_t mtime;
	bool bad;		/* could not be built: do not retry this one */
	struct xf_profile prof;
	struct xf_profile_path xpath;	/* magic 0: no exe paths */
};

static struct cached_profile *cache[XFD_MAX_CACHED];
static int nr_cached;

/* The kernel libxl booted domid with, from its saved domain config. */
static char *libxl_kernel(uint32_t domid)
{
	char pat[96], *buf = NULL, *k, *end, *res = NULL;
	glob_t gl;
	FILE *f;
	long len;

	snprintf(pat, sizeof(pat), "/var/lib/xen/userdata-d.%u.*.libxl-json",
		 domid);
	if (glob(pat, 0, NULL, &gl) || gl.gl_pathc < 1)
		return NULL;
	f = fopen(gl.gl_pathv[0], "r");
	globfree(&gl);
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    len < XFD_LIBXL_JSON_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = calloc(1, len + 1)) && fread(buf, 1, len, f) == (size_t)len &&
	    (k = strstr(buf, "\"kernel\": \"")) &&
	    (end = strchr(k + 11, '"')) && end > k + 11 && end - k < 256) {
		*end = 0;
		res = strdup(k + 11);
	}
	free(buf);
	fclose(f);
	return res;
}

static void cache_file_name(const char *path, const struct stat *st, char *out,
			    size_t len)
{
	const char *base = strrchr(path, '/');
	char clean[96];
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; base[i] && i < sizeof(clean) - 1; i++)
		clean[i] = (base[i] == '/' || base[i] == ' ') ? '_' : base[i];
	clean[i] = 0;
	snprintf(out, len, "%s/%s-%lld-%lld.xfp", xfd_cfg.profile_dir, clean,
		 (long long)st->st_size, (long long)st->st_mtime);
}

static void mkdir_p(const char *dir)
{
	char tmp[256], *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		mkdir(tmp, 0755);
		*p = '/';
	}
	mkdir(tmp, 0755);
}

/* The profile of a kernel image or .xfp file; NULL if it has none. */
static const struct cached_profile *profile_of(const char *path,
					       bool is_profile, char *err,
					       size_t errlen)
{
	struct cached_profile *c;
	struct xf_profile_src src = { .kernel = path };
	struct xf_perr e = { "" };
	char file[400];
	struct stat st;
	int i;

	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path,
			 errno ? strerror(errno) : "not a file");
		return NULL;
	}
	for (i = 0; i < nr_cached; i++) {
		c = cache[i];
		if (!strcmp(c->path, path) && c->size == st.st_size &&
		    c->mtime == st.st_mtime) {
			if (c->bad)
				snprintf(err, errlen, "%s: no profile", path);
			return c->bad ? NULL : c;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->size = st.st_size;
	c->mtime = st.st_mtime;
	if (is_profile) {
		c->bad = xf_profile_read(path, &c->prof, &c->xpath, &e) != 0;
		if (!c->bad && !c->xpath.magic)
			xfd_warn("%s: profile without path members (older xfctl?): exe rules will not match; rebuild it with xfctl profile build",
				 path);
	} else {
		cache_file_name(path, &st, file, sizeof(file));
		/* A cached profile from before exe paths is rebuilt. */
		if (xf_profile_read(file, &c->prof, &c->xpath, &e) == 0 &&
		    c->xpath.magic) {
			xfd_dbg("profile of %s from cache %s", path, file);
		} else {
			uint64_t t0 = xfd_now_us();

			e.msg[0] = 0;
			c->bad = xf_profile_build(&src, &c->prof, &c->xpath,
						  &e) != 0;
			if (!c->bad) {
				xfd_info("built the profile of %s (%s) in %llu ms",
					 path, c->prof.release,
					 (unsigned long long)(xfd_now_us() - t0) / 1000);
				mkdir_p(xfd_cfg.profile_dir);
				if (!c->xpath.magic)
					xfd_warn("%s: its BTF lacks the mount members: exe rules will not match",
						 path);
				if (xf_profile_write(file, &c->prof, &c->xpath,
						     &e))
					xfd_dbg("cannot cache profile: %s", e.msg);
			}
		}
	}
	if (c->bad)
		snprintf(err, errlen, "%s: %s", path, e.msg);
	if (nr_cached < XFD_MAX_CACHED) {
		cache[nr_cached++] = c;
	} else if (c->bad) {
		free(c);
		return NULL;
	} else {
		/* Full: the oldest entry goes; the caller copies the profile
		 * out before the next call, so handing out c is safe. */
		free(cache[0]);
		memmove(cache, cache + 1, (XFD_MAX_CACHED - 1) * sizeof(cache[0]));
		cache[XFD_MAX_CACHED - 1] = c;
	}
	return c->bad ? NULL : c;
}

static bool pin_matches(const struct xfd_pin *p, uint32_t domid,
			const char *name, const char *uuid)
{
	char id[16];

	snprintf(id, sizeof(id), "%u", domid);
	return !strcmp(p->guest, id) || (name[0] && !strcmp(p->guest, name)) ||
	       (uuid[0] && !strcasecmp(p->guest, uuid));
}

static bool kernel_name(const char *n)
{
	return !strncmp(n, "vmlinuz", 7) || !strncmp(n, "vmlinux", 7);
}

struct candidates {
	char *path[XFD_MAX_CANDIDATES];
	bool is_profile[XFD_MAX_CANDIDATES];
	int n;
};

static void add_candidate(struct candidates *c, const char *path, bool prof)
{
	int i;

	if (c->n >= XFD_MAX_CANDIDATES || !path)
		return;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->path[i], path))
			return;
	c->path[c->n] = strdup(path);
	if (c->path[c->n])
		c->is_profile[c->n++] = prof;
}

static void collect(struct candidates *c, uint32_t domid, const char *name,
		    const char *uuid)
{
	char path[512], *k;
	struct dirent **ents;
	int i, j, n;

	for (i = 0; i < xfd_cfg.nr_pins; i++)
		if (pin_matches(&xfd_cfg.pins[i], domid, name, uuid))
			add_candidate(c, xfd_cfg.pins[i].path,
				      xfd_cfg.pins[i].is_profile);
	k = libxl_kernel(domid);
	add_candidate(c, k, false);
	free(k);
	for (i = 0; i < xfd_cfg.nr_search; i++) {
		n = scandir(xfd_cfg.search[i], &ents, NULL, alphasort);
		for (j = 0; j < n; j++) {
			if (kernel_name(ents[j]->d_name)) {
				snprintf(path, sizeof(path), "%s/%s",
					 xfd_cfg.search[i], ents[j]->d_name);
				add_candidate(c, path, false);
			}
			free(ents[j]);
		}
		if (n >= 0)
			free(ents);
	}
}

int xfd_guest_open(uint32_t domid, const char *name, const char *uuid,
		   struct xf_guest *g, char *src, size_t srclen, char *err,
		   size_t errlen)
{
	struct candidates c = { .n = 0 };
	const struct cached_profile *p;
	const char *why = NULL;
	char e1[512] = "";
	int i, r, tried = 0, ret = -1;

	memset(g, 0, sizeof(*g));
	collect(&c, domid, name, uuid);
	if (!c.n) {
		snprintf(err, errlen, "no guest kernel image found (search path, libxl config, --pin)");
		return -1;
	}
	if (xf_mem_xen_open(domid, &g->mem, err, errlen))
		goto out;
	snprintf(err, errlen, "none of %d kernel images matches the guest", c.n);
	for (i = 0; i < c.n; i++) {
		p = profile_of(c.path[i], c.is_profile[i], e1, sizeof(e1));
		if (!p) {
			xfd_dbg("domain %u: %s", domid, e1);
			continue;
		}
		tried++;
		if (xf_mem_find_slide(g->mem, &p->prof, &g->slide, e1,
				      sizeof(e1))) {
			xfd_dbg("domain %u: %s is not its kernel: %s", domid,
				c.path[i], e1);
			continue;
		}
		g->prof = p->prof;
		g->path = p->xpath;
		r = xf_vmi_init(&g->vmi, &g->prof, xf_mem_read, g->mem, g->slide,
				&why);
		if (r) {
			snprintf(err, errlen, "%s: walker: %s%s%s", c.path[i],
				 xf_vmi_strerror(r), why ? ": " : "",
				 why ? why : "");
			continue;
		}
		xf_guest_set_path(&g->vmi, &g->path);
		{
			bool creds;
			const char *miss = xf_vmi_owner_missing(&g->prof, &creds);

			if (miss)
				xfd_warn("domain %u: %s lacks %s%s", domid, c.path[i],
					 miss, creds ? "" :
					 "; rebuild it with xfctl profile build");
		}
		if (!g->vmi.path)
			xfd_warn("domain %u: no executable paths from %s: exe rules will not match its flows",
				 domid, c.path[i]);
		snprintf(src, srclen, "%s", c.path[i]);
		ret = 0;
		break;
	}
	if (ret && tried == 0 && e1[0])
		snprintf(err, errlen, "%s", e1);
out:
	if (ret)
		xf_guest_close(g);
	for (i = 0; i < c.n; i++)
		free(c.path[i]);
	return ret;
}
