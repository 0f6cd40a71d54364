// SPDX-License-Identifier: GPL-2.0
/*
 * Naming a domain the way xl does: a domid, a name or a UUID, resolved
 * through xenstore (/local/domain/ID/name and /local/domain/ID/vm, which
 * is "/vm/UUID"). Exactly one domain must match, or the token is named in
 * the error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xenstore.h>

#include "mem.h"

static char *xs_get(struct xs_handle *xs, const char *dir, const char *key)
{
	char path[128];
	unsigned int len;

	snprintf(path, sizeof(path), "/local/domain/%s/%s", dir, key);
	return xs_read(xs, XBT_NULL, path, &len);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int xf_xen_resolve_domain(const char *token, uint32_t *domid, char *err,
			  size_t errlen)
{
	struct xs_handle *xs;
	char **ids;
	unsigned int n, i, found = 0;

	if (!token || !*token) {
		snprintf(err, errlen, "empty domain name");
		return -EINVAL;
	}
	xs = xs_open(XS_OPEN_READONLY);
	if (!xs) {
		snprintf(err, errlen, "cannot open xenstore (is this dom0 with xenstored running?)");
		return -EIO;
	}
	ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	for (i = 0; ids && i < n; i++) {
		char *name = NULL, *vm = NULL;
		bool match;

		if (all_digits(token)) {
			match = !strcmp(ids[i], token);
		} else {
			name = xs_get(xs, ids[i], "name");
			vm = xs_get(xs, ids[i], "vm");
			match = (name && !strcmp(name, token)) ||
				(vm && !strncmp(vm, "/vm/", 4) &&
				 !strcasecmp(vm + 4, token));
		}
		free(name);
		free(vm);
		if (match) {
			*domid = strtoul(ids[i], NULL, 10);
			found++;
		}
	}
	free(ids);
	xs_close(xs);
	if (found == 1)
		return 0;
	snprintf(err, errlen, found ? "domain '%s' is ambiguous" :
		 "no domain '%s' (not a running domid, name or UUID)", token);
	return found ? -EEXIST : -ENOENT;
}

int xf_xen_domain_identity(uint32_t domid, char *name, size_t namelen,
			   char *uuid, size_t uuidlen)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
	char dir[16], *n, *vm;

	*name = *uuid = 0;
	if (!xs)
		return -EIO;
	snprintf(dir, sizeof(dir), "%u", domid);
	n = xs_get(xs, dir, "name");
	vm = xs_get(xs, dir, "vm");
	xs_close(xs);
	if (n)
		snprintf(name, namelen, "%s", n);
	if (vm && !strncmp(vm, "/vm/", 4))
		snprintf(uuid, uuidlen, "%s", vm + 4);
	free(n);
	free(vm);
	return *uuid ? 0 : -ENOENT;
}
