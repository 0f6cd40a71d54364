// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl save [FILE]       write the rules and domain settings as a rule file
 * xfctl restore [FILE]    replace them with a rule file ("-": stdin)
 *
 * A rule file is one line each, in order; blank lines and '#' comments
 * are ignored:
 *
 *	guest NAME uuid UUID       NAME is the guest with UUID (save writes it
 *	                           for every guest it names)
 *	domain set DOMAIN SETTING VALUE...   as `xfctl domain set`
 *	RULE                       core/rule_text's syntax (`xfctl rule add`)
 *
 * save | restore round-trips: the printers write exactly what the parsers
 * read. A domain is saved by its guest's name (a domid changes at every
 * reboot): while it runs, from xenstore; when it does not, from xfilterd's
 * domid/UUID map or from the kept file (below); else by its domid.
 *
 * save FILE writes FILE.XXXXXX in the same directory, fsyncs it and
 * renames it over FILE: a failed dump (no module, no permission, a rule
 * that cannot be read back) leaves FILE as it was.
 *
 * restore parses and resolves the whole file before touching the kernel.
 * A guest that is not running is not an error: its rules go into the
 * table at their places bound to domid 0, which matches nothing, and they
 * and its settings are listed in STATE_DIR/kept (userspace/lib/kept.h)
 * for xfilterd to apply when the guest starts. Then, under the lock of
 * STATE_DIR: the settings, one DOMAIN_SET each in file order, and every
 * rule in one XFILTER_CMD_RULE_REPLACE (the module swaps the whole table in
 * one step or changes nothing). If the kernel refuses a setting or the
 * table, the settings already changed are set back: nothing changed.
 * Errors name FILE:LINE and the token; a rule the kernel refuses is named
 * by its FILE:LINE from the extack offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

#include "kept.h"
#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

#define XFCTL_RESTORE_MAX 65536	/* rules in one file */
#define XFCTL_GUESTS_MAX 1024	/* guest lines */

struct guest_ref {
	char name[XF_DOM_NAME_LEN];
	char uuid[40];
};

struct save_ctx {
	struct xs_handle *xs;
	struct xf_kept_list kept;	/* STATE_DIR/kept */
	struct xf_rule *rules;		/* the table, in order */
	size_t n, cap;
	int unreadable;		/* rules the kernel sent that we could not print */
	FILE *settings;		/* domain set lines, then written out */
	struct guest_ref guests[XFCTL_GUESTS_MAX];
	int nguests;
};

/* A name save may write as a token: one word rule_text keeps verbatim. */
static bool name_token(const char *s)
{
	const char *p;

	if (!*s || strlen(s) >= XF_DOM_NAME_LEN || !strcmp(s, "default") ||
	    !strcmp(s, "-") || strspn(s, "0123456789") == strlen(s))
		return false;
	for (p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("#\"'\\", *p))
			return false;
	return true;
}

static char *xs_get(struct xs_handle *xs, uint32_t domid, const char *key)
{
	char path[64];
	unsigned int len;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	return xs ? xs_read(xs, XBT_NULL, path, &len) : NULL;
}

/*
 * domid's guest while it runs (xenstore: true), else as xfilterd last saw
 * it (false).
 */
static bool guest_of(struct save_ctx *s, uint32_t domid, char *name,
		     char *uuid)
{
	char *n = xs_get(s->xs, domid, "name"), *vm, line[256], u[40], m[64];
	unsigned int id;
	FILE *f;

	*name = *uuid = 0;
	if (n) {
		vm = xs_get(s->xs, domid, "vm");
		snprintf(name, XF_DOM_NAME_LEN, "%s", n);
		if (vm && !strncmp(vm, "/vm/", 4))
			snprintf(uuid, 40, "%s", vm + 4);
		free(n);
		free(vm);
		return true;
	}
	f = fopen(XF_STATE_DIR "/domains", "re");	/* rebind.c's map */
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %39s %63s", &id, u, m) == 3 && id == domid) {
			snprintf(uuid, 40, "%s", strcmp(u, "-") ? u : "");
			snprintf(name, XF_DOM_NAME_LEN, "%s", strcmp(m, "-") ? m : "");
		}
	}
	if (f)
		fclose(f);
	return false;
}

/* Settings kept for this guest (by a restore newer than any old domid). */
static bool kept_settings(const struct save_ctx *s, const char *name,
			  const char *uuid)
{
	size_t i;

	for (i = 0; i < s->kept.n; i++)
		if (!s->kept.v[i].rule && xf_kept_guest(&s->kept.v[i], uuid, name))
			return true;
	return false;
}

/*
 * The token naming a guest in the file: its name, else its UUID (false if
 * neither will do); a guest line is written for the pair.
 */
static bool guest_token(struct save_ctx *s, const char *name, const char *uuid,
			char *tok)
{
	bool uuid_ok = *uuid && strcmp(uuid, "-") && name_token(uuid);
	int i;

	if (!name_token(name)) {
		if (uuid_ok)
			snprintf(tok, XF_DOM_NAME_LEN, "%s", uuid);
		return uuid_ok;
	}
	snprintf(tok, XF_DOM_NAME_LEN, "%s", name);
	for (i = 0; uuid_ok && i < s->nguests; i++)
		if (!strcmp(s->guests[i].name, name))
			return true;
	if (uuid_ok && s->nguests < XFCTL_GUESTS_MAX) {
		snprintf(s->guests[s->nguests].name, XF_DOM_NAME_LEN, "%s", name);
		snprintf(s->guests[s->nguests].uuid, 40, "%s", uuid);
		s->nguests++;
	}
	return true;
}

/*
 * A temporary rule as a comment. The reason holds a guest's comm (detect
 * block), so it goes through the text escaper: one line, no '\n' a guest
 * could use to start a rule line of its own.
 */
void xfctl_save_temporary(FILE *f, const struct xf_rule *r)
{
	char text[XF_RULE_TEXT_MAX], why[XF_TEXT_QUOTE_MAX(XF_RULE_REASON_LEN)];

	xf_rule_print(r, text, sizeof(text));
	xf_text_quote(r->reason, strnlen(r->reason, sizeof(r->reason)), why,
		      sizeof(why));
	fprintf(f, "# temporary, not saved: %s (%s)\n", text, why);
}

static int save_rule_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct save_ctx *s = arg;
	struct xf_rule *r;
	uint32_t index;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct xf_rule *v = realloc(s->rules, cap * sizeof(*v));

		if (!v) {
			s->unreadable++;
			return NL_SKIP;
		}
		s->rules = v;
		s->cap = cap;
	}
	r = &s->rules[s->n];
	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] ||
	    xf_rule_from_attrs(tb[XFILTER_A_RULE], r, &index)) {
		s->unreadable++;
		return NL_SKIP;
	}
	s->n++;
	return NL_OK;
}

/* One domain's settings as a domain set line (its own ones only). */
static int save_domain_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	char text[512], name[XF_DOM_NAME_LEN], uuid[40], tok[XF_DOM_NAME_LEN];
	struct save_ctx *s = arg;
	uint32_t domid;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID]) {
		s->unreadable++;
		return NL_SKIP;
	}
	domid = nla_get_u32(d[XFILTER_DOMAIN_A_DOMID]);
	if (domid != XFILTER_DOMID_DEFAULT &&
	    !(d[XFILTER_DOMAIN_A_FLAGS] &&
	      (nla_get_u32(d[XFILTER_DOMAIN_A_FLAGS]) & XFILTER_DOMAIN_F_OWN)))
		return NL_OK;	/* follows the default */
	if (xf_domain_settings_print(d, text, sizeof(text))) {
		s->unreadable++;
		return NL_SKIP;
	}
	if (domid == XFILTER_DOMID_DEFAULT) {
		snprintf(tok, sizeof(tok), "default");
	} else {
		/* A guest that is down: the settings restore kept are newer. */
		if (!guest_of(s, domid, name, uuid) && kept_settings(s, name, uuid))
			return NL_OK;
		if (!guest_token(s, name, uuid, tok))
			snprintf(tok, sizeof(tok), "%u", domid);
	}
	fprintf(s->settings, "domain set %s %s\n", tok, text);
	return NL_OK;
}

/*
 * The table as rule lines. The dom 0 rules are the kept ones (kept.h),
 * named after their guest while the kept file lists exactly as many.
 */
static int save_rules(struct save_ctx *s, FILE *f)
{
	char text[XF_RULE_TEXT_MAX], name[XF_DOM_NAME_LEN], uuid[40];
	size_t i, k = 0, nkept = 0, ndom0 = 0;
	struct xf_rule r;

	for (i = 0; i < s->kept.n; i++)
		nkept += s->kept.v[i].rule;
	for (i = 0; i < s->n; i++)
		ndom0 += !s->rules[i].expires_ms &&
			 (s->rules[i].fields & XF_RF_DOMID) && !s->rules[i].domid;
	if (nkept != ndom0)
		xfctl_err("warning: %s/%s lists %zu kept rules, the table has %zu dom 0 rules: saved as dom 0",
			  XF_STATE_DIR, XF_KEPT_NAME, nkept, ndom0);
	for (i = 0; i < s->n; i++) {
		r = s->rules[i];
		/* Temporary rules (detect block mode) are not part of the policy. */
		if (r.expires_ms) {
			xfctl_save_temporary(f, &r);
			continue;
		}
		if (r.fields & XF_RF_DOMID) {
			if (!r.domid && nkept == ndom0) {
				while (!s->kept.v[k].rule)
					k++;
				snprintf(name, sizeof(name), "%s", s->kept.v[k].name);
				snprintf(uuid, sizeof(uuid), "%s", s->kept.v[k].uuid);
				k++;
			} else if (r.domid) {
				guest_of(s, r.domid, name, uuid);
			} else {
				*name = *uuid = 0;
			}
			if (guest_token(s, name, uuid, r.dom_name)) {
				r.fields &= ~XF_RF_DOMID;
				r.fields |= XF_RF_DOMNAME;
			}
		}
		if (xf_rule_print(&r, text, sizeof(text)) >= sizeof(text))
			return -1;
		fprintf(f, "%s\n", text);
	}
	return 0;
}

/* Everything, into f: guest lines, settings, rules. 0 or -errno. */
static int save_all(struct xf_nl *nl, struct save_ctx *s, FILE *f)
{
	struct nl_msg *msg;
	char tok[XF_DOM_NAME_LEN], *sbuf = NULL;
	size_t slen = 0, i;
	int err;

	s->settings = open_memstream(&sbuf, &slen);
	if (!s->settings)
		return -ENOMEM;
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(nl, msg, save_domain_cb, s) : -ENOMEM;
	/* Settings kept for guests that were not running. */
	for (i = 0; !err && i < s->kept.n; i++) {
		if (s->kept.v[i].rule)
			continue;
		if (!guest_token(s, s->kept.v[i].name, s->kept.v[i].uuid, tok)) {
			s->unreadable++;
			continue;
		}
		fprintf(s->settings, "domain set %s %s\n", tok, s->kept.v[i].text);
	}
	if (!err) {
		msg = xf_nl_msg(nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
		err = msg ? xf_nl_request(nl, msg, save_rule_cb, s) : -ENOMEM;
	}
	if (fclose(s->settings) && !err)
		err = -ENOMEM;
	s->settings = NULL;
	if (err) {
		xfctl_err("%s", xf_nl_strerror(nl, err));
		free(sbuf);
		return err;
	}
	fprintf(f, "# xfilter rules and domain settings, one per line, first match wins (xfctl restore)\n");
	/* save_rules names guests too: print the rules to memory first. */
	{
		char *rbuf = NULL;
		size_t rlen = 0;
		FILE *rf = open_memstream(&rbuf, &rlen);

		if (!rf || save_rules(s, rf)) {
			s->unreadable++;
			if (rf)
				fclose(rf);
			free(rbuf);
			rbuf = NULL;
		} else if (fclose(rf)) {
			err = -ENOMEM;
		}
		for (i = 0; i < (size_t)s->nguests; i++)
			fprintf(f, "guest %s uuid %s\n", s->guests[i].name,
				s->guests[i].uuid);
		fputs(sbuf, f);
		if (rbuf)
			fputs(rbuf, f);
		free(rbuf);
	}
	free(sbuf);
	return err;
}

static const char save_usage[] =
	"Usage: xfctl save [FILE|-]\n"
	"       xfctl restore [FILE|-]\n"
	"save writes the rule table as a rule file (stdout without FILE or with\n"
	"-), through a temporary file and a rename; restore replaces the rule\n"
	"table with a rule file in one step (stdin without FILE or with -).\n"
	"A file named like an option: ./-h.\n";

/* -h, --help, help: the usage; another "-x": an error; else 0. */
static int file_arg(int argc, char **argv, const char *what,
		    const char **path)
{
	*path = "-";
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			 !strcmp(argv[1], "help"))) {
		fputs(save_usage, stdout);
		return argc > 2 ? 2 : -1;
	}
	if (argc > 2) {
		xfctl_err("unexpected argument '%s' (%s [FILE])", argv[2], what);
		return 2;
	}
	if (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		xfctl_err("unknown option '%s' (%s [FILE]; a file named so: ./%s)",
			  argv[1], what, argv[1]);
		return 2;
	}
	if (argc > 1)
		*path = argv[1];
	if (!**path) {
		xfctl_err("%s: empty file name", what);
		return 2;
	}
	return 0;
}

/*
 * A temporary file next to path (same file system, so rename is atomic),
 * with path's mode if it exists, else 0666 & ~umask as fopen would.
 */
static FILE *save_tmp_open(const char *path, char *tmp, size_t size)
{
	struct stat st;
	mode_t mode, mask;
	FILE *f;
	int fd;

	if ((size_t)snprintf(tmp, size, "%s.XXXXXX", path) >= size) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	if (!stat(path, &st)) {
		mode = st.st_mode & 07777;
	} else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	f = fdopen(fd, "w");
	if (!f || fchmod(fd, mode)) {
		int e = errno;

		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		errno = e;
		return NULL;
	}
	return f;
}

/* Flush, fsync, close and rename tmp over path (and fsync the directory). */
static int save_tmp_commit(FILE *f, const char *tmp, const char *path)
{
	char *dir_copy;
	int fd, e;

	if (fflush(f) || fsync(fileno(f))) {
		e = errno;
		fclose(f);
		errno = e;
		return -1;
	}
	if (fclose(f) || rename(tmp, path))
		return -1;
	dir_copy = strdup(path);
	if (dir_copy) {
		fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			fsync(fd);	/* the rename itself; best effort */
			close(fd);
		}
		free(dir_copy);
	}
	return 0;
}

int cmd_save(int argc, char **argv)
{
	struct save_ctx *s;
	const char *path;
	char tmp[4096];
	struct xf_nl nl;
	FILE *f = stdout;
	int err, lock;

	err = file_arg(argc, argv, "save", &path);
	if (err)
		return err < 0 ? 0 : err;
	s = calloc(1, sizeof(*s));
	if (!s) {
		xfctl_err("out of memory");
		return 1;
	}
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		free(s);
		return 1;
	}
	if (strcmp(path, "-")) {
		f = save_tmp_open(path, tmp, sizeof(tmp));
		if (!f) {
			xfctl_err("%s: %s", path, strerror(errno));
			xf_nl_close(&nl);
			free(s);
			return 1;
		}
	}
	s->xs = xs_open(XS_OPEN_READONLY);	/* no names without it */
	/* The kept file and the table as one view (xfilterd changes both). */
	lock = xf_kept_lock(XF_STATE_DIR);
	if (xf_kept_read(XF_STATE_DIR, &s->kept))
		xfctl_err("warning: %s/%s: %s", XF_STATE_DIR, XF_KEPT_NAME,
			  strerror(errno));
	err = save_all(&nl, s, f);
	xf_kept_unlock(lock);
	/* A save that silently drops a rule would be restored as a hole. */
	if (!err && s->unreadable) {
		xfctl_err("%d rule(s) or setting(s) could not be read back from the kernel; the saved set is incomplete",
			  s->unreadable);
		err = -EPROTO;
	}
	if (s->xs)
		xs_close(s->xs);
	xf_kept_free(&s->kept);
	free(s->rules);
	free(s);
	if (f == stdout) {
		if (fflush(stdout) && !err) {
			xfctl_err("stdout: %s", strerror(errno));
			err = -EIO;
		}
	} else if (err) {
		fclose(f);
		unlink(tmp);
		xfctl_err("%s left unchanged", path);
	} else if (save_tmp_commit(f, tmp, path)) {
		xfctl_err("%s: %s (left unchanged)", path, strerror(errno));
		unlink(tmp);
		err = -EIO;
	}
	xf_nl_close(&nl);
	return err ? 1 : 0;
}

struct restore_setting {
	size_t line;
	char *tok;		/* DOMAIN as written */
	uint32_t domid;
	int argc;
	char **argv;		/* SETTING VALUE... (into text) */
	char *text;		/* the line, split in place */
};

struct restore {
	const char *path;
	struct xf_rule *rules;
	size_t *lines, n;
	char **rule_text;	/* each rule's line, for the kept file */
	struct restore_setting *set;
	size_t nset;
	struct guest_ref guests[XFCTL_GUESTS_MAX];
	int nguests;
	struct xf_kept_list kept;
};

/* "domain set DOMAIN SETTING VALUE..." split in place; 0 or 2. */
static int parse_setting(struct restore *rs, char *line, size_t lineno)
{
	struct restore_setting *st = &rs->set[rs->nset];
	char *tok, *save = NULL, err[256];
	int max = 64;

	st->text = line;
	st->line = lineno;
	st->argv = calloc(max, sizeof(*st->argv));
	if (!st->argv) {
		xfctl_err("out of memory");
		return 2;
	}
	strtok_r(line, " \t", &save);			/* domain */
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || strcmp(tok, "set")) {
		xfctl_err("%s:%zu: bad line at '%s' (domain set DOMAIN SETTING VALUE...)",
			  rs->path, lineno, tok ? tok : "domain");
		goto fail;
	}
	st->tok = strtok_r(NULL, " \t", &save);
	if (!st->tok) {
		xfctl_err("%s:%zu: domain set needs a DOMAIN", rs->path, lineno);
		goto fail;
	}
	while ((tok = strtok_r(NULL, " \t", &save)) && st->argc < max)
		st->argv[st->argc++] = tok;
	if (tok) {
		xfctl_err("%s:%zu: too many settings at '%s'", rs->path, lineno, tok);
		goto fail;
	}
	if (xf_domain_settings(st->argc, st->argv, NULL, err, sizeof(err))) {
		xfctl_err("%s:%zu: domain set %s: %s", rs->path, lineno, st->tok, err);
		goto fail;
	}
	rs->nset++;
	return 0;
fail:
	free(st->argv);
	st->argv = NULL;
	return 2;
}

/* "guest NAME uuid UUID"; 0 or 2. */
static int parse_guest(struct restore *rs, char *line, size_t lineno)
{
	char *w[5], *t, *save = NULL;
	const char *bad = NULL;
	int n = 0;

	for (t = strtok_r(line, " \t", &save); t && n < 5;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	if (n == 5)
		bad = w[4];
	else if (n >= 3 && strcmp(w[2], "uuid"))
		bad = w[2];
	else if (n < 4)
		bad = w[n - 1];
	else if (!name_token(w[1]))
		bad = w[1];
	else if (strlen(w[3]) >= sizeof(rs->guests[0].uuid) || !name_token(w[3]))
		bad = w[3];
	if (bad) {
		xfctl_err("%s:%zu: bad line at '%s' (guest NAME uuid UUID)",
			  rs->path, lineno, bad);
		return 2;
	}
	if (rs->nguests == XFCTL_GUESTS_MAX) {
		xfctl_err("%s:%zu: more than %d guest lines", rs->path, lineno,
			  XFCTL_GUESTS_MAX);
		return 2;
	}
	snprintf(rs->guests[rs->nguests].name, XF_DOM_NAME_LEN, "%s", w[1]);
	snprintf(rs->guests[rs->nguests].uuid, 40, "%s", w[3]);
	rs->nguests++;
	return 0;
}

/* Parse every line of f; 0, or 2 after naming the error. */
static int restore_parse(FILE *f, struct restore *rs)
{
	struct xf_rule_error e;
	char *line = NULL;
	size_t cap = 0, lineno = 0, w;
	ssize_t len;
	int ret = 0;

	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *p = line;
		struct xf_rule *r = &rs->rules[rs->n];

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		w = strcspn(p, " \t");
		if ((w == 5 && !strncmp(p, "guest", 5)) ||
		    (w == 6 && !strncmp(p, "domain", 6))) {
			char *copy = strdup(p);

			if (copy)	/* a comment after it; never in a token */
				copy[strcspn(copy, "#")] = 0;
			if (!copy) {
				xfctl_err("out of memory");
				ret = 1;
				break;
			}
			if (rs->nset == XFCTL_GUESTS_MAX && *p == 'd') {
				xfctl_err("%s:%zu: more than %d domain lines",
					  rs->path, lineno, XFCTL_GUESTS_MAX);
				ret = 2;
			} else {
				ret = *p == 'g' ? parse_guest(rs, copy, lineno) :
				      parse_setting(rs, copy, lineno);
			}
			if (*p == 'g' || ret)
				free(copy);
			if (ret)
				break;
			continue;
		}
		if (rs->n == XFCTL_RESTORE_MAX) {
			xfctl_err("%s:%zu: more than %d rules", rs->path, lineno,
				  XFCTL_RESTORE_MAX);
			ret = 2;
			break;
		}
		if (xf_rule_parse_line(line, len, r, &e)) {
			if (e.index >= 0)
				xfctl_err("%s:%zu: bad rule at '%s' (token %d): %s",
					  rs->path, lineno, e.token, e.index + 1,
					  e.msg);
			else
				xfctl_err("%s:%zu: bad rule: %s", rs->path, lineno,
					  e.msg);
			ret = 2;
			break;
		}
		rs->rule_text[rs->n] = strdup(p);
		if (!rs->rule_text[rs->n]) {
			xfctl_err("out of memory");
			ret = 1;
			break;
		}
		rs->lines[rs->n++] = lineno;
	}
	if (!ret && ferror(f)) {
		xfctl_err("%s: %s", rs->path, strerror(errno));
		ret = 1;
	}
	free(line);
	return ret;
}

static bool is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ?
		    s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return false;
	return !s[36];
}

/*
 * A guest named in the file: 0 with its domid while it runs (by name,
 * else by the UUID of its guest line), 1 if it does not (uuid and name
 * filled in for the kept file), or -1 after naming the error.
 */
static int resolve_guest(struct restore *rs, const char *tok, size_t lineno,
			 uint32_t *domid, char *uuid, char *name)
{
	const char *u = NULL;
	char err[160];
	int i, e;

	for (i = 0; i < rs->nguests; i++)
		if (!strcmp(rs->guests[i].name, tok))
			u = rs->guests[i].uuid;
	e = xf_xen_resolve_domain(tok, domid, err, sizeof(err));
	if (e == -ENOENT && u)
		e = xf_xen_resolve_domain(u, domid, err, sizeof(err));
	if (!e)
		return 0;
	if (e != -ENOENT) {
		xfctl_err("%s:%zu: dom '%s': %s", rs->path, lineno, tok, err);
		return -1;
	}
	/* The kept file holds one word each: a name that is not one goes. */
	if (!is_uuid(tok) && !name_token(tok) && !u) {
		xfctl_err("%s:%zu: dom '%s': not running, and not a name that can be kept until it starts (give its UUID)",
			  rs->path, lineno, tok);
		return -1;
	}
	snprintf(uuid, 40, "%s", u ? u : is_uuid(tok) ? tok : "-");
	snprintf(name, XF_DOM_NAME_LEN, "%s",
		 is_uuid(tok) || !name_token(tok) ? "-" : tok);
	return 1;
}

/* Names to domids; a guest that is not running to the kept list. 0 or 2. */
static int restore_resolve(struct restore *rs)
{
	char uuid[40], name[XF_DOM_NAME_LEN], *text;
	uint32_t domid;
	size_t i, len;
	int k, j;

	for (i = 0; i < rs->nset; i++) {
		struct restore_setting *st = &rs->set[i];

		if (!strcmp(st->tok, "default")) {
			st->domid = XFILTER_DOMID_DEFAULT;
			continue;
		}
		if (strspn(st->tok, "0123456789") == strlen(st->tok)) {
			if (!xf_text_parse_u32(st->tok, strlen(st->tok),
					       XFILTER_DOMID_MAX, &st->domid)) {
				xfctl_err("%s:%zu: bad domain id '%s' (0..%u)",
					  rs->path, st->line, st->tok,
					  XFILTER_DOMID_MAX);
				return 2;
			}
			continue;
		}
		k = resolve_guest(rs, st->tok, st->line, &st->domid, uuid, name);
		if (k < 0)
			return 2;
		if (!k)
			continue;
		for (len = 0, j = 0; j < st->argc; j++)
			len += strlen(st->argv[j]) + 1;
		text = malloc(len + 1);
		if (!text)
			return 2;
		for (*text = 0, j = 0; j < st->argc; j++)
			strcat(strcat(text, j ? " " : ""), st->argv[j]);
		k = xf_kept_add(&rs->kept, false, uuid, name, text);
		free(text);
		if (k)
			return 2;
		st->argc = 0;	/* not sent now */
	}
	for (i = 0; i < rs->n; i++) {
		struct xf_rule *r = &rs->rules[i];

		if (!(r->fields & XF_RF_DOMNAME))
			continue;
		k = resolve_guest(rs, r->dom_name, rs->lines[i], &domid, uuid,
				  name);
		if (k < 0)
			return 2;
		/* Kept: at its place, bound to dom0, which has no vif. */
		if (k && xf_kept_add(&rs->kept, true, uuid, name, rs->rule_text[i]))
			return 2;
		r->fields &= ~XF_RF_DOMNAME;
		r->fields |= XF_RF_DOMID;
		r->domid = k ? 0 : domid;
		memset(r->dom_name, 0, sizeof(r->dom_name));
	}
	return 0;
}

/*
 * The whole table in one RULE_REPLACE. Each rule's attribute offset is
 * kept so that the kernel's extack offset names the refused FILE:LINE.
 */
static int restore_send(struct xf_nl *nl, const struct xf_rule *rules,
			const size_t *lines, size_t n, const char *path)
{
	/* An upper bound of one rule's attributes: every field at its longest. */
	size_t size = NLMSG_HDRLEN + GENL_HDRLEN + 4096 + n * 512, i;
	uint32_t *off = calloc(n ? n : 1, sizeof(*off));
	struct nl_msg *msg = nlmsg_alloc_size(size);
	int err = -ENOMEM, sndbuf = (int)size;

	if (!off || !msg)
		goto nomem;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, 0,
			 XFILTER_CMD_RULE_REPLACE, XFILTER_GENL_VERSION))
		goto fail;
	for (i = 0; i < n; i++) {
		off[i] = nlmsg_hdr(msg)->nlmsg_len;
		if (xf_rule_to_attrs(msg, &rules[i], UINT32_MAX)) {
			err = -EMSGSIZE;
			goto fail;
		}
	}
	/* A big table needs a send buffer to match (SO_SNDBUFFORCE: root). */
	if (nlmsg_hdr(msg)->nlmsg_len > 200000 &&
	    setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_SNDBUFFORCE,
		       &sndbuf, sizeof(sndbuf)))
		nl_socket_set_buffer_size(nl->sk, 0, sndbuf);
	err = xf_nl_request(nl, msg, NULL, NULL);
	msg = NULL;
	if (err == -EOPNOTSUPP) {
		xfctl_err("the module has no atomic replace (XFILTER_CMD_RULE_REPLACE): load the xfilter.ko of this xfctl; nothing changed");
	} else if (err) {
		size_t bad = n;

		for (i = 0; nl->bad_attr_off >= 0 && i < n; i++)
			if (off[i] <= (uint32_t)nl->bad_attr_off)
				bad = i;
		if (bad < n)
			xfctl_err("%s:%zu: %s; nothing changed", path, lines[bad],
				  xf_nl_strerror(nl, err));
		else
			xfctl_err("%s; nothing changed", xf_nl_strerror(nl, err));
	}
fail:
	if (msg) {		/* not sent */
		xfctl_err("cannot build the request (%s); nothing changed",
			  strerror(-err));
		nlmsg_free(msg);
	}
	free(off);
	return err;
nomem:
	if (msg)
		nlmsg_free(msg);
	free(off);
	xfctl_err("out of memory; nothing changed");
	return -ENOMEM;
}

struct old_setting {
	uint32_t domid;
	char text[512];
};

struct old_settings {
	struct old_setting *v;
	size_t n, cap;
};

static int old_setting_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *d[XFILTER_DOMAIN_A_MAX + 1];
	struct old_settings *o = arg;

	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct old_setting *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return NL_STOP;
		o->v = v;
		o->cap = cap;
	}
	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(d, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 || !d[XFILTER_DOMAIN_A_DOMID] ||
	    xf_domain_settings_print(d, o->v[o->n].text, sizeof(o->v[0].text)))
		return NL_SKIP;
	o->v[o->n++].domid = nla_get_u32(d[XFILTER_DOMAIN_A_DOMID]);
	return NL_OK;
}

/* DOMAIN_SET domid argv; 0 or -errno. */
static int set_domain(struct xf_nl *nl, uint32_t domid, int argc, char **argv)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_SET, 0);
	struct nlattr *n = msg ? nla_nest_start(msg, XFILTER_A_DOMAIN) : NULL;
	char err[256];

	if (!n || nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, domid) ||
	    xf_domain_settings(argc, argv, msg, err, sizeof(err))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, n);
	return xf_nl_request(nl, msg, NULL, NULL);
}

/* Set back what the first n settings changed (best effort). */
static void restore_undo(struct xf_nl *nl, struct restore *rs, size_t n,
			 const struct old_settings *o)
{
	const char *text;
	char buf[512], *argv[32], *save = NULL;
	size_t j;
	int argc, err;

	while (n--) {
		if (!rs->set[n].argc)
			continue;
		text = NULL;
		for (j = 0; j < o->n; j++) {
			if (o->v[j].domid == rs->set[n].domid)
				text = o->v[j].text;
			if (!text && o->v[j].domid == XFILTER_DOMID_DEFAULT)
				text = o->v[j].text;
		}
		if (!text)
			continue;
		snprintf(buf, sizeof(buf), "%s", text);
		argc = 0;
		for (argv[argc] = strtok_r(buf, " ", &save); argv[argc] && argc < 31;
		     argv[++argc] = strtok_r(NULL, " ", &save))
			;
		err = set_domain(nl, rs->set[n].domid, argc, argv);
		if (err)
			xfctl_err("%s:%zu: could not set the settings of domain %s back: %s",
				  rs->path, rs->set[n].line, rs->set[n].tok,
				  xf_nl_strerror(nl, err));
	}
}

/* One line per guest kept: restore succeeded, but it is not filtered yet. */
static void restore_report_kept(const struct xf_kept_list *l)
{
	size_t i, j;
	int rules, settings;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(l->v[j].name, l->v[i].name) &&
			    !strcmp(l->v[j].uuid, l->v[i].uuid))
				break;
		if (j < i)
			continue;	/* told already */
		rules = settings = 0;
		for (j = i; j < l->n; j++)
			if (!strcmp(l->v[j].name, l->v[i].name) &&
			    !strcmp(l->v[j].uuid, l->v[i].uuid)) {
				rules += l->v[j].rule;
				settings += !l->v[j].rule;
			}
		xfctl_err("guest %s (uuid %s) is not running: %d rule(s)%s kept in %s/%s; xfilterd applies them when it starts",
			  l->v[i].name, l->v[i].uuid, rules,
			  settings ? " and its settings" : "", XF_STATE_DIR,
			  XF_KEPT_NAME);
	}
}

/* Under the lock of STATE_DIR: settings, the table, the kept file. */
static int restore_apply(struct xf_nl *nl, struct restore *rs)
{
	struct old_settings o = { 0 };
	struct nl_msg *msg;
	size_t i;
	int lock, err = 0;

	/*
	 * The module first: a caller without CAP_NET_ADMIN is told so, not
	 * that the state directory (root's) cannot be locked. Read again
	 * under the lock, for the undo.
	 */
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(nl, msg, old_setting_cb, &o) : -ENOMEM;
	free(o.v);
	memset(&o, 0, sizeof(o));
	if (err) {
		xfctl_err("%s; nothing changed", xf_nl_strerror(nl, err));
		return 1;
	}
	lock = xf_kept_lock(XF_STATE_DIR);
	if (lock < 0) {
		xfctl_err("cannot lock %s: %s; nothing changed", XF_STATE_DIR,
			  strerror(errno));
		return 1;
	}
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(nl, msg, old_setting_cb, &o) : -ENOMEM;
	if (err) {
		xfctl_err("%s; nothing changed", xf_nl_strerror(nl, err));
		goto out;
	}
	for (i = 0; i < rs->nset; i++) {
		if (!rs->set[i].argc)
			continue;	/* kept */
		err = set_domain(nl, rs->set[i].domid, rs->set[i].argc,
				 rs->set[i].argv);
		if (err) {
			xfctl_err("%s:%zu: domain %s: %s; nothing changed",
				  rs->path, rs->set[i].line, rs->set[i].tok,
				  xf_nl_strerror(nl, err));
			restore_undo(nl, rs, i, &o);
			goto out;
		}
	}
	err = restore_send(nl, rs->rules, rs->lines, rs->n, rs->path);
	if (err) {
		restore_undo(nl, rs, rs->nset, &o);
		goto out;
	}
	if (xf_kept_write(XF_STATE_DIR, &rs->kept)) {
		xfctl_err("%s/%s: %s: the rules of guests that are not running are in the table as dom 0, but nothing says whose",
			  XF_STATE_DIR, XF_KEPT_NAME, strerror(errno));
		err = -EIO;
	} else {
		restore_report_kept(&rs->kept);
	}
out:
	xf_kept_unlock(lock);
	free(o.v);
	return err ? 1 : 0;
}

int cmd_restore(int argc, char **argv)
{
	struct restore *rs;
	const char *path;
	struct xf_nl nl;
	FILE *f = stdin;
	size_t i;
	int err;

	err = file_arg(argc, argv, "restore", &path);
	if (err)
		return err < 0 ? 0 : err;
	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			xfctl_err("%s: %s", path, strerror(errno));
			return 1;
		}
	}
	rs = calloc(1, sizeof(*rs));
	if (rs) {
		rs->path = strcmp(path, "-") ? path : "<stdin>";
		rs->rules = calloc(XFCTL_RESTORE_MAX, sizeof(*rs->rules));
		rs->lines = calloc(XFCTL_RESTORE_MAX, sizeof(*rs->lines));
		rs->rule_text = calloc(XFCTL_RESTORE_MAX, sizeof(*rs->rule_text));
		rs->set = calloc(XFCTL_GUESTS_MAX, sizeof(*rs->set));
	}
	if (!rs || !rs->rules || !rs->lines || !rs->rule_text || !rs->set) {
		xfctl_err("out of memory");
		err = 1;
	} else {
		err = restore_parse(f, rs);
	}
	if (f != stdin)
		fclose(f);
	if (!err)
		err = restore_resolve(rs);
	if (!err && xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		err = 1;
	} else if (!err) {
		err = restore_apply(&nl, rs);
		xf_nl_close(&nl);
	}
	if (rs) {
		for (i = 0; rs->rule_text && i < rs->n; i++)
			free(rs->rule_text[i]);
		for (i = 0; rs->set && i < rs->nset; i++) {
			free(rs->set[i].text);
			free(rs->set[i].argv);
		}
		xf_kept_free(&rs->kept);
		free(rs->rules);
		free(rs->lines);
		free(rs->rule_text);
		free(rs->set);
		free(rs);
	}
	return err;
}
