// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and settings follow a guest, not a domid. The module keys both by
 * domid (the UAPI leaves names and UUIDs to userland), and a domid changes
 * at every reboot, save/restore and migration: a rule that silently stopped
 * applying would be a hole. So we remember which UUID every domid had, and
 * when a UUID shows up under a new domid while its old domid is gone, its
 * rules are rewritten in place (same position, new domid) and its own
 * domain settings copied over.
 *
 * The map is saved under state_dir, so a reboot that happened while the
 * daemon was down is still followed when it starts. Rule counters restart
 * on a moved rule (they belong to the module's rule object).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "xfilterd.h"

#define XFD_MAP_MAX 256
#define XFD_RULES_MAX 4096

struct map_entry {
	uint32_t domid;
	char uuid[XFD_UUID_LEN];
	char name[XFD_NAME_LEN];
};

static struct map_entry map[XFD_MAP_MAX];
static int nr_map;
static bool map_dirty;

static void map_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/domains", xfd_cfg.state_dir);
}

void xfd_rebind_load(void)
{
	char path[300], line[256];
	struct map_entry e;
	FILE *f;

	map_path(path, sizeof(path));
	f = fopen(path, "r");
	if (!f)
		return;
	while (nr_map < XFD_MAP_MAX && fgets(line, sizeof(line), f)) {
		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%u %39s %63s", &e.domid, e.uuid, e.name) < 2 ||
		    e.domid == 0 || e.domid > XFILTER_DOMID_MAX)
			continue;
		map[nr_map++] = e;
	}
	fclose(f);
}

void xfd_rebind_save(void)
{
	char path[300], tmp[310];
	FILE *f;
	int i;

	if (!map_dirty)
		return;
	mkdir(xfd_cfg.state_dir, 0755);
	map_path(path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		xfd_dbg("cannot save %s: %s", path, strerror(errno));
		return;
	}
	for (i = 0; i < nr_map; i++)
		fprintf(f, "%u %s %s\n", map[i].domid, map[i].uuid,
			map[i].name[0] ? map[i].name : "-");
	if (fclose(f) == 0 && rename(tmp, path) == 0)
		map_dirty = false;
}

void xfd_rebind_remember(const struct xfd_dom *d)
{
	int i;

	for (i = 0; i < nr_map; i++)
		if (map[i].domid == d->domid)
			break;
	if (i == nr_map) {
		if (nr_map == XFD_MAP_MAX) {
			memmove(map, map + 1, (XFD_MAP_MAX - 1) * sizeof(map[0]));
			nr_map--;
		}
		i = nr_map++;
	}
	map[i].domid = d->domid;
	snprintf(map[i].uuid, sizeof(map[i].uuid), "%s", d->uuid);
	snprintf(map[i].name, sizeof(map[i].name), "%s", d->name);
	map_dirty = true;
}

/* ---- rules ---------------------------------------------------------------- */

struct rule_dump {
	struct xfd_rule_ref *v;
	int n;
};

static int rule_dump_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *rtb[XFILTER_RULE_A_MAX + 1];
	struct rule_dump *rd = arg;
	struct xfd_rule_ref *r;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_RULE] || rd->n >= XFD_RULES_MAX)
		return NL_SKIP;
	if (nla_parse_nested(rtb, XFILTER_RULE_A_MAX, tb[XFILTER_A_RULE], NULL) < 0 ||
	    !rtb[XFILTER_RULE_A_INDEX] || !rtb[XFILTER_RULE_A_DOMID])
		return NL_SKIP;
	/* A temporary rule (detect block mode) stays and expires there. */
	if (rtb[XFILTER_RULE_A_EXPIRES_MS])
		return NL_OK;
	r = &rd->v[rd->n];
	r->attrs = malloc(nla_total_size(nla_len(tb[XFILTER_A_RULE])));
	if (!r->attrs)
		return NL_SKIP;
	memcpy(r->attrs, tb[XFILTER_A_RULE], nla_total_size(nla_len(tb[XFILTER_A_RULE])));
	r->index = nla_get_u32(rtb[XFILTER_RULE_A_INDEX]);
	r->domid = nla_get_u32(rtb[XFILTER_RULE_A_DOMID]);
	r->generation = tb[XFILTER_A_GENERATION] ?
			nla_get_u64(tb[XFILTER_A_GENERATION]) : 0;
	rd->n++;
	return NL_OK;
}

/* Re-add rule r for new_domid before its own position, then delete it. */
int xfd_rule_move(struct xf_nl *nl, const struct xfd_rule_ref *r,
		  uint32_t new_domid)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_RULE_ADD, 0);
	struct nlattr *a, *nest;
	int rem, err;

	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, XFILTER_A_RULE);
	nla_put_u32(msg, XFILTER_RULE_A_INDEX, r->index);
	nla_put_u32(msg, XFILTER_RULE_A_DOMID, new_domid);
	nla_for_each_nested(a, r->attrs, rem) {
		switch (nla_type(a)) {
		case XFILTER_RULE_A_INDEX:
		case XFILTER_RULE_A_DOMID:
		case XFILTER_RULE_A_PACKETS:
		case XFILTER_RULE_A_BYTES:
		case XFILTER_RULE_A_PAD:
		case XFILTER_RULE_A_EXPIRES_MS:
		case XFILTER_RULE_A_ALERT:
		case XFILTER_RULE_A_REASON:
		case XFILTER_RULE_A_MIRROR_COPIES:
		case XFILTER_RULE_A_MIRROR_DROPS:
		case XFILTER_RULE_A_MIRROR_ERRORS:
			continue;	/* output-only, or replaced */
		}
		nla_put(msg, nla_type(a), nla_len(a), nla_data(a));
	}
	nla_nest_end(msg, nest);
	err = xf_nl_request(nl, msg, NULL, NULL);
	if (err)
		return err;
	msg = xf_nl_msg(nl, XFILTER_CMD_RULE_DEL, 0);
	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, XFILTER_A_RULE);
	nla_put_u32(msg, XFILTER_RULE_A_INDEX, r->index + 1);
	nla_nest_end(msg, nest);
	return xf_nl_request(nl, msg, NULL, NULL);
}

int xfd_rules_dump(struct xf_nl *nl, struct xfd_rule_ref **v, int *n)
{
	struct rule_dump rd = { .v = calloc(XFD_RULES_MAX, sizeof(*rd.v)) };
	struct nl_msg *msg;
	int err;

	if (!rd.v)
		return -ENOMEM;
	msg = xf_nl_msg(nl, XFILTER_CMD_RULE_GET, NLM_F_DUMP);
	err = msg ? xf_nl_request(nl, msg, rule_dump_cb, &rd) : -ENOMEM;
	*v = rd.v;
	*n = rd.n;
	return err;
}

void xfd_rules_free(struct xfd_rule_ref *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i].attrs);
	free(v);
}

static int move_rules(struct xf_nl *nl, uint32_t old_domid, uint32_t new_domid)
{
	struct rule_dump rd;
	int i, moved = 0, err;

	err = xfd_rules_dump(nl, &rd.v, &rd.n);
	for (i = 0; !err && i < rd.n; i++) {
		if (rd.v[i].domid != old_domid)
			continue;
		err = xfd_rule_move(nl, &rd.v[i], new_domid);
		if (err)
			xfd_err("moving rule %u from domid %u to %u: %s",
				rd.v[i].index, old_domid, new_domid,
				xf_nl_strerror(nl, err));
		else
			moved++;
	}
	xfd_rules_free(rd.v, rd.n);
	return err ? err : moved;
}

/* ---- domain settings ------------------------------------------------------ */

struct dom_settings {
	bool found, own;
	uint8_t mode, policy, unattributed, fail;
};

static int settings_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[XFILTER_A_MAX + 1], *dtb[XFILTER_DOMAIN_A_MAX + 1];
	struct dom_settings *s = arg;

	if (xf_nl_parse(msg, tb) < 0 || !tb[XFILTER_A_DOMAIN] ||
	    nla_parse_nested(dtb, XFILTER_DOMAIN_A_MAX, tb[XFILTER_A_DOMAIN],
			     NULL) < 0 ||
	    !dtb[XFILTER_DOMAIN_A_MODE] || !dtb[XFILTER_DOMAIN_A_POLICY] ||
	    !dtb[XFILTER_DOMAIN_A_UNATTRIBUTED] ||
	    !dtb[XFILTER_DOMAIN_A_FAIL_POLICY] || !dtb[XFILTER_DOMAIN_A_FLAGS])
		return NL_SKIP;
	s->found = true;
	s->own = nla_get_u32(dtb[XFILTER_DOMAIN_A_FLAGS]) & XFILTER_DOMAIN_F_OWN;
	s->mode = nla_get_u8(dtb[XFILTER_DOMAIN_A_MODE]);
	s->policy = nla_get_u8(dtb[XFILTER_DOMAIN_A_POLICY]);
	s->unattributed = nla_get_u8(dtb[XFILTER_DOMAIN_A_UNATTRIBUTED]);
	s->fail = nla_get_u8(dtb[XFILTER_DOMAIN_A_FAIL_POLICY]);
	return NL_OK;
}

static int get_settings(struct xf_nl *nl, uint32_t domid,
			struct dom_settings *s)
{
	struct nl_msg *msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_GET, NLM_F_DUMP);
	struct nlattr *n;

	memset(s, 0, sizeof(*s));
	if (!msg)
		return -ENOMEM;
	n = nla_nest_start(msg, XFILTER_A_DOMAIN);
	nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, domid);
	nla_nest_end(msg, n);
	return xf_nl_request(nl, msg, settings_cb, s);
}

static int copy_settings(struct xf_nl *nl, uint32_t old_domid,
			 uint32_t new_domid)
{
	struct dom_settings s;
	struct nl_msg *msg;
	struct nlattr *n;
	int err = get_settings(nl, old_domid, &s);

	if (err || !s.own)
		return err ? err : 0;
	msg = xf_nl_msg(nl, XFILTER_CMD_DOMAIN_SET, 0);
	if (!msg)
		return -ENOMEM;
	n = nla_nest_start(msg, XFILTER_A_DOMAIN);
	nla_put_u32(msg, XFILTER_DOMAIN_A_DOMID, new_domid);
	nla_put_u8(msg, XFILTER_DOMAIN_A_MODE, s.mode);
	nla_put_u8(msg, XFILTER_DOMAIN_A_POLICY, s.policy);
	nla_put_u8(msg, XFILTER_DOMAIN_A_UNATTRIBUTED, s.unattributed);
	nla_put_u8(msg, XFILTER_DOMAIN_A_FAIL_POLICY, s.fail);
	nla_nest_end(msg, n);
	err = xf_nl_request(nl, msg, NULL, NULL);
	return err ? err : 1;
}

/* The fail policy of domid as the module applies it (for batch.c). */
int xfd_fail_policy(struct xf_nl *nl, uint32_t domid)
{
	struct dom_settings s;

	if (get_settings(nl, domid, &s) == 0 && s.found)
		return s.fail;
	if (get_settings(nl, XFILTER_DOMID_DEFAULT, &s) == 0 && s.found)
		return s.fail;
	return XFILTER_ACTION_DROP;	/* unknown: the safe answer */
}

int xfd_domain_mode(struct xf_nl *nl, uint32_t domid)
{
	struct dom_settings s;

	if (get_settings(nl, domid, &s) == 0 && s.found)
		return s.mode;
	if (get_settings(nl, XFILTER_DOMID_DEFAULT, &s) == 0 && s.found)
		return s.mode;
	return -1;
}

/*
 * The same guest: the same UUID (what xl keeps across reboot, save/restore
 * and migration), or, when the toolstack gave it a new UUID (xl create of
 * the same config), the same name: rules were added by name.
 */
static bool same_guest(const struct map_entry *e, const struct xfd_dom *d)
{
	if (e->uuid[0] && !strcasecmp(e->uuid, d->uuid))
		return true;
	return e->name[0] && d->name[0] && !strcmp(e->name, d->name);
}

bool xfd_rebind_domain(struct xf_nl *nl, const struct xfd_dom *d)
{
	int i, rules, settings;
	bool done = true;
	uint32_t old;

	for (i = 0; i < nr_map; i++) {
		if (map[i].domid == d->domid || !same_guest(&map[i], d))
			continue;
		old = map[i].domid;
		if (xfd_dom_find(old)) {
			/* Still listed: xl is tearing the old instance down
			 * (or a clone has our UUID); the next scan retries. */
			done = false;
			continue;
		}
		rules = move_rules(nl, old, d->domid);
		settings = copy_settings(nl, old, d->domid);
		if (rules < 0 || settings < 0)
			xfd_err("guest %s (%s): following it from domid %u to %u failed",
				d->name, d->uuid, old, d->domid);
		else
			xfd_info("guest %s (%s) moved from domid %u to %u: %d rules%s followed",
				 d->name, d->uuid, old, d->domid, rules,
				 settings > 0 ? " and its settings" : "");
		/* The old domid is done with. */
		memmove(&map[i], &map[i + 1], (nr_map - i - 1) * sizeof(map[0]));
		nr_map--;
		i--;
		map_dirty = true;
	}
	return done;
}
