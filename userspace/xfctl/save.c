// SPDX-License-Identifier: GPL-2.0
/*
 * xfctl save [FILE]       write the rule table as a rule file (default stdout)
 * xfctl restore [FILE]    replace the rule table with a rule file ("-": stdin)
 *
 * A rule file is one rule per line in core/rule_text's syntax, in order;
 * blank lines and '#' comments are ignored. save | restore round-trips:
 * the printer of core/rule_text writes exactly what its line parser reads.
 * A rule bound to a domain is saved with the guest's name while the guest
 * runs (a domid changes at every reboot), else with its domid.
 *
 * save FILE writes FILE.XXXXXX in the same directory, fsyncs it and
 * renames it over FILE: a failed dump (no module, no permission, a rule
 * that cannot be read back) leaves FILE as it was.
 *
 * restore parses and resolves the whole file before touching the kernel,
 * then sends every rule in one XFILTER_CMD_RULE_REPLACE: the module swaps
 * the whole table in one step or changes nothing, so neither a bad line
 * nor a rule the kernel refuses leaves a partial table, and there is no
 * empty-table window. Errors name FILE:LINE and the token; a rule the
 * kernel refuses is named by its FILE:LINE from the extack offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xenstore.h>

#include "mem.h"
#include "nl.h"
#include "rule_text.h"
#include "xfctl.h"

#define XFCTL_RESTORE_MAX 65536	/* rules in one file */

/* The running guest's name for domid, or false. */
static bool domain_name(struct xs_handle *xs, uint32_t domid, char *name,
			size_t size)
{
	char path[64], *v;
	unsigned int len;

	if (!xs)
		return false;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (!v)
		return false;
	snprintf(name, size, "%s", v);
	free(v);
	/* rule_text keeps a name verbatim only if it is not all digits. */
	return *name && strspn(name, "0123456789") != strlen(name) &&
	       strlen(name) < XF_DOM_NAME_LEN;
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

struct save_ctx {
	FILE *f;
	struct xs_handle *xs;
	int n;
	int unreadable;		/* rules the kernel sent that we could not print */
};

static int save_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1];
	struct save_ctx *s = arg;
	struct xf_rule r;
	char text[XF_RULE_TEXT_MAX];
	uint32_t index;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] ||
	    xfctl_rule_from_attrs(tb[XFILTER_A_RULE], &r, &index)) {
		s->unreadable++;
		return NL_SKIP;
	}
	/* Temporary rules (detect block mode) are not part of the policy. */
	if (r.expires_ms) {
		xfctl_save_temporary(s->f, &r);
		return NL_OK;
	}
	if ((r.fields & XF_RF_DOMID) &&
	    domain_name(s->xs, r.domid, r.dom_name, sizeof(r.dom_name))) {
		r.fields &= ~XF_RF_DOMID;
		r.fields |= XF_RF_DOMNAME;
	}
	if (xf_rule_print(&r, text, sizeof(text)) >= sizeof(text)) {
		s->unreadable++;
		return NL_SKIP;
	}
	fprintf(s->f, "%s\n", text);
	s->n++;
	return NL_OK;
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
	struct save_ctx s = { .f = stdout };
	const char *path;
	char tmp[4096];
	struct nl_msg *msg;
	struct xf_nl nl;
	int err;

	err = file_arg(argc, argv, "save", &path);
	if (err)
		return err < 0 ? 0 : err;
	if (xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		return 1;
	}
	if (strcmp(path, "-")) {
		s.f = save_tmp_open(path, tmp, sizeof(tmp));
		if (!s.f) {
			xfctl_err("%s: %s", path, strerror(errno));
			xf_nl_close(&nl);
			return 1;
		}
	}
	s.xs = xs_open(XS_OPEN_READONLY);	/* no names without it */
	fprintf(s.f, "# xfilter rules, one per line, first match wins (xfctl restore)\n");
	msg = xf_nl_msg(&nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(&nl, msg, save_cb, &s) : -ENOMEM;
	if (err)
		xfctl_err("%s", xf_nl_strerror(&nl, err));
	/* A save that silently drops a rule would be restored as a hole. */
	if (!err && s.unreadable) {
		xfctl_err("%d rule(s) could not be read back from the kernel; the saved set is incomplete",
			  s.unreadable);
		err = -EPROTO;
	}
	if (s.xs)
		xs_close(s.xs);
	if (s.f == stdout) {
		if (fflush(stdout) && !err) {
			xfctl_err("stdout: %s", strerror(errno));
			err = -EIO;
		}
	} else if (err) {
		fclose(s.f);
		unlink(tmp);
		xfctl_err("%s left unchanged", path);
	} else if (save_tmp_commit(s.f, tmp, path)) {
		xfctl_err("%s: %s (left unchanged)", path, strerror(errno));
		unlink(tmp);
		err = -EIO;
	}
	xf_nl_close(&nl);
	return err ? 1 : 0;
}

/* Parse every line of f into rules[]; 0, or 2 after naming the error. */
static int restore_parse(FILE *f, const char *path, struct xf_rule *rules,
			 size_t *lines, size_t *n)
{
	struct xf_rule_error e;
	char *line = NULL, err[160];
	size_t cap = 0, lineno = 0;
	ssize_t len;
	uint32_t domid;
	int ret = 0;

	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *p = line;
		struct xf_rule *r = &rules[*n];

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		if (*n == XFCTL_RESTORE_MAX) {
			xfctl_err("%s:%zu: more than %d rules", path, lineno,
				  XFCTL_RESTORE_MAX);
			ret = 2;
			break;
		}
		if (xf_rule_parse_line(line, len, r, &e)) {
			if (e.index >= 0)
				xfctl_err("%s:%zu: bad rule at '%s' (token %d): %s",
					  path, lineno, e.token, e.index + 1,
					  e.msg);
			else
				xfctl_err("%s:%zu: bad rule: %s", path, lineno,
					  e.msg);
			ret = 2;
			break;
		}
		if (r->fields & XF_RF_DOMNAME) {
			if (xf_xen_resolve_domain(r->dom_name, &domid, err,
						  sizeof(err))) {
				xfctl_err("%s:%zu: dom '%s': %s", path, lineno,
					  r->dom_name, err);
				ret = 2;
				break;
			}
			r->fields &= ~XF_RF_DOMNAME;
			r->fields |= XF_RF_DOMID;
			r->domid = domid;
			memset(r->dom_name, 0, sizeof(r->dom_name));
		}
		lines[(*n)++] = lineno;
	}
	if (!ret && ferror(f)) {
		xfctl_err("%s: %s", path, strerror(errno));
		ret = 1;
	}
	free(line);
	return ret;
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
		if (xfctl_rule_to_attrs(msg, &rules[i], UINT32_MAX)) {
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

int cmd_restore(int argc, char **argv)
{
	const char *path, *name;
	struct xf_rule *rules;
	size_t *lines;
	struct xf_nl nl;
	FILE *f = stdin;
	size_t n;
	int err;

	err = file_arg(argc, argv, "restore", &path);
	if (err)
		return err < 0 ? 0 : err;
	name = strcmp(path, "-") ? path : "<stdin>";
	if (strcmp(path, "-")) {
		f = fopen(path, "r");
		if (!f) {
			xfctl_err("%s: %s", path, strerror(errno));
			return 1;
		}
	}
	rules = calloc(XFCTL_RESTORE_MAX, sizeof(*rules));
	lines = calloc(XFCTL_RESTORE_MAX, sizeof(*lines));
	if (!rules || !lines) {
		xfctl_err("out of memory");
		if (f != stdin)
			fclose(f);
		free(rules);
		free(lines);
		return 1;
	}
	err = restore_parse(f, name, rules, lines, &n);
	if (f != stdin)
		fclose(f);
	if (!err && xf_nl_open(&nl)) {
		xfctl_err("%s", nl.errmsg);
		err = 1;
	} else if (!err) {
		err = restore_send(&nl, rules, lines, n, name) ? 1 : 0;
		xf_nl_close(&nl);
	}
	free(rules);
	free(lines);
	return err;
}
