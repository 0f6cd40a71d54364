/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON string writer of xfctl and xfilterd. Every string that goes
 * into JSON output (guest comm, exe, cgroup, rule reasons, device and
 * domain names, rule text) goes through xf_json_str()/xf_json_strn(), so
 * the output is always valid UTF-8 JSON (RFC 8259):
 *
 *  - '"' and '\' as \" and \\; \b \f \n \r \t as such;
 *  - other C0 controls, DEL, C1 controls, the line/paragraph separators
 *    and the bidi controls (xf_text_unsafe_cp()) as \u00XX / \uXXXX: the
 *    decoded string is unchanged, the raw bytes never reach a terminal;
 *  - other valid UTF-8 passes through unchanged (a comm "café" stays café);
 *  - a byte that is not part of valid UTF-8 is written as \u00XX, i.e. read
 *    as Latin-1 (0xff becomes "\u00ff"). JSON cannot carry raw bytes; the
 *    text output (\xff) keeps them exact.
 */
#ifndef XF_USER_JSON_H
#define XF_USER_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s[0..len) as a JSON string, quotes included. */
void xf_json_strn(FILE *f, const char *s, size_t len);
/* A NUL-terminated string. */
void xf_json_str(FILE *f, const char *s);
/* "key": then the string: the common case of a member. */
void xf_json_member_str(FILE *f, const char *key, const char *s);

#endif /* XF_USER_JSON_H */
