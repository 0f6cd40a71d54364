// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON string writer (userspace/lib/json.c) and the text escaper
 * (xf_text_quote, core/rule_text.c) on hostile strings: newlines, quotes,
 * terminal escape sequences, invalid UTF-8, bidi controls. JSON output must
 * be valid (json_check.h) and keep valid UTF-8 as is; text output must be
 * one line of valid UTF-8 without control bytes that the rule line parser
 * reads back as the original bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_check.h"
#include "rule_text.h"
#include "tap.h"

static char *json_of(const char *s, size_t n, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	xf_json_strn(f, s, n);
	fclose(f);
	return buf;
}

static void json_is(const char *s, size_t n, const char *want, const char *name)
{
	size_t len;
	char *got = json_of(s, n, &len);

	ok(json_valid(got, len), "json %s: valid", name);
	if (!ok(!strcmp(got, want), "json %s: %s", name, want))
		diag("got %s", got);
	free(got);
}

/* No byte < 0x20 or 0x7f, valid UTF-8, no unsafe code point. */
static bool text_safe(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int l;

	while (i < n) {
		l = xf_utf8_decode(s + i, n - i, &cp);
		if (!l || xf_text_unsafe_cp(cp))
			return false;
		i += (size_t)l;
	}
	return true;
}

/* The escaped form as a comm value reads back as the same bytes. */
static void text_roundtrip(const char *s, size_t n, const char *name)
{
	char q[XF_TEXT_QUOTE_MAX(64)], line[sizeof(q) + 32];
	struct xf_rule_error e;
	struct xf_rule r;
	size_t len = xf_text_quote(s, n, q, sizeof(q));

	ok(len < sizeof(q) && text_safe(q, len), "text %s: safe (%s)", name, q);
	/* comm holds 15 bytes; exe is long enough for every case here. */
	snprintf(line, sizeof(line), "exe %s drop", q);
	if (!ok(!xf_rule_parse_line(line, strlen(line), &r, &e) &&
		strlen(r.exe) == n && !memcmp(r.exe, s, n),
		"text %s: the rule parser reads it back", name))
		diag("%s: %s at '%s'", line, e.msg, e.token);
}

int main(void)
{
	static const struct { const char *s; const char *name; } hostile[] = {
		{ "x\naccept #", "newline and comment" },
		{ "a\"b\\c", "quote and backslash" },
		{ "\x1b]0;owned\a\x1b[2J", "OSC title and clear screen" },
		{ "caf\xc3\xa9", "UTF-8" },
		{ "\xff\xfe" "bad", "invalid bytes" },
		{ "\xc0\xaf", "overlong slash" },
		{ "\xed\xa0\x80", "surrogate" },
		{ "\xe2\x80\xae" "gpj.exe", "RLO bidi override" },
		{ "\xc2\x9b" "31m", "C1 CSI" },
		{ "a\tb\rc", "tab and CR" },
		{ "#x", "leading hash" },
		{ "x uid 0", "blank (field spoofing)" },
		{ "\x7f", "DEL" },
		{ "\xe6\x97\xa5\xe6\x9c\xac", "CJK" },
	};
	size_t i;

	json_is("plain", 5, "\"plain\"", "plain");
	json_is("x\naccept #", 10, "\"x\\naccept #\"", "newline");
	json_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote");
	json_is("\x1b[2J", 4, "\"\\u001b[2J\"", "ESC");
	json_is("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"", "UTF-8 kept");
	json_is("\xff", 1, "\"\\u00ff\"", "invalid byte as Latin-1");
	json_is("\xc3", 1, "\"\\u00c3\"", "cut sequence");
	json_is("\xc2\x85", 2, "\"\\u0085\"", "C1 NEL");
	json_is("\xe2\x80\xae", 3, "\"\\u202e\"", "RLO");
	json_is("\x7f\b\f", 3, "\"\\u007f\\b\\f\"", "DEL, BS, FF");
	json_is("a\0b", 3, "\"a\\u0000b\"", "embedded NUL");
	json_is("", 0, "\"\"", "empty");

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		size_t len;
		char *j = json_of(hostile[i].s, strlen(hostile[i].s), &len);

		ok(json_valid(j, len), "json %s: valid", hostile[i].name);
		free(j);
		text_roundtrip(hostile[i].s, strlen(hostile[i].s),
			       hostile[i].name);
	}
	/* Exact text forms operators see. */
	{
		char q[64];

		xf_text_quote("x\naccept #", 10, q, sizeof(q));
		ok(!strcmp(q, "\"x\\naccept #\""), "text: %s", q);
		xf_text_quote("caf\xc3\xa9", 5, q, sizeof(q));
		ok(!strcmp(q, "caf\xc3\xa9"), "text: UTF-8 unquoted");
		xf_text_quote("\xff", 1, q, sizeof(q));
		ok(!strcmp(q, "\"\\xff\""), "text: %s", q);
		xf_text_quote("nc", 2, q, sizeof(q));
		ok(!strcmp(q, "nc"), "text: plain name unquoted");
		xf_text_quote("", 0, q, sizeof(q));
		ok(!strcmp(q, "\"\""), "text: empty as \"\"");
	}
	/* The validator itself rejects what it must. */
	ok(!json_valid("\"\xff\"", 3), "checker: raw 0xff rejected");
	ok(!json_valid("\"a\nb\"", 5), "checker: raw newline rejected");
	ok(!json_valid("{\"a\":1,}", 8), "checker: trailing comma rejected");
	ok(json_valid("[{\"a\":[1,-2.5,true,null]}]", 26), "checker: nested ok");
	return tap_done();
}
