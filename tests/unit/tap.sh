# SPDX-License-Identifier: GPL-2.0
#
# TAP for the shell tests of tests/unit (the twin of tap.h), sourced:
#	tap OK|FAIL DESCRIPTION   print "ok N - ..." or "not ok N - ..."
# $n counts the lines, $fail is 1 once one failed (the script's exit code).
n=0
fail=0

tap()
{
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}
