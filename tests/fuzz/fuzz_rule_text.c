// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the rule text parser: any line either fails with an
 * error naming a token, or yields a valid rule whose printed form parses
 * back to the same rule (and prints identically) and never needs more than
 * XF_RULE_TEXT_MAX bytes.
 */
#include <stdlib.h>

#include "rule_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xf_rule_error err;
	struct xf_rule r, r2;
	static char out[XF_RULE_TEXT_MAX], out2[XF_RULE_TEXT_MAX];
	char *line;
	size_t n;
	int ret;

	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	ret = xf_rule_parse_line(line, size, &r, &err);
	if (ret) {
		if (ret != err.code || !err.msg ||
		    strnlen(err.token, sizeof(err.token)) >= sizeof(err.token))
			abort();
		free(line);
		return 0;
	}
	if (xf_rule_check(&r))
		abort();
	n = xf_rule_print(&r, out, sizeof(out));
	if (n >= sizeof(out))
		abort();
	if (xf_rule_parse_line(out, n, &r2, &err) || !xf_rule_equal(&r, &r2))
		abort();
	xf_rule_print(&r2, out2, sizeof(out2));
	if (strcmp(out, out2))
		abort();
	free(line);
	return 0;
}
