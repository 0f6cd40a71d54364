# SPDX-License-Identifier: GPL-2.0
# bash completion for xfctl(8): objects, their commands, rule keywords,
# domain names (xl list) and files where a file is expected.

_xfctl_domains()
{
	# Names of running guests; quiet and empty without a toolstack.
	xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" { print $1, $2 }'
}

_xfctl_rule_words()
{
	# What may follow: every rule keyword not used yet, and the actions
	# unless one is there. $1.. are the words of the rule so far.
	local w kw used="" acts="accept drop log log-drop mirror" out=""

	for w in "$@"; do
		used+=" $w "
		case $w in accept|drop|log|log-drop|mirror) acts="" ;; esac
	done
	for kw in dom uid euid gid pid comm exe proto dst sport dport; do
		[[ $used == *" $kw "* ]] || out+=" $kw"
	done
	echo "$out $acts"
}

_xfctl()
{
	local cur prev words cword
	_init_completion || return

	local objects="help profile ps hv rule domain flows stats vif monitor alerts save restore"
	local i obj="" oi=0

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-j|--json|-p|--pretty|-h|--help) ;;
		--store|--etcd) i=$((i + 1)) ;;	# and its value
		*) obj=${words[i]}; oi=$i; break ;;
		esac
	done
	if [[ -z $obj ]]; then
		case $prev in
		--store) COMPREPLY=($(compgen -W "etcd kernel" -- "$cur")); return ;;
		--etcd) COMPREPLY=($(compgen -W "http://127.0.0.1:2379" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j -p -h --json --pretty --help --store --etcd" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$objects" -- "$cur"))
		fi
		return
	fi

	local cmd=${words[oi + 1]} nargs=$((cword - oi))

	# Values of keywords, whatever the object.
	case $prev in
	dom) COMPREPLY=($(compgen -W "any $(_xfctl_domains)" -- "$cur")); return ;;
	proto) COMPREPLY=($(compgen -W "tcp udp icmp icmpv6" -- "$cur")); return ;;
	mode) COMPREPLY=($(compgen -W "off userland hypervisor" -- "$cur")); return ;;
	policy|unattributed|--default|--unattributed)
		COMPREPLY=($(compgen -W "accept drop log log-drop" -- "$cur")); return ;;
	fail) COMPREPLY=($(compgen -W "accept drop" -- "$cur")); return ;;
	detect) COMPREPLY=($(compgen -W "off alert block" -- "$cur")); return ;;
	mirror) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
	window|ports|hosts|flows|block-time) return ;;
	--kernel|-k|--system-map|-m|--profile|--btf|--core|-o|--output)
		_filedir; return ;;
	uid|euid|gid|pid|comm|exe|dst|sport|dport|index|--slide|--generation)
		return ;;
	esac

	case $obj in
	rule)
		if ((nargs == 1)); then
			COMPREPLY=($(compgen -W "add del list show flush" -- "$cur"))
		elif [[ $cmd == add || $cmd == del || $cmd == delete ]]; then
			local extra=""
			[[ $cmd == add ]] && ((nargs == 2)) && extra="index"
			COMPREPLY=($(compgen -W "$extra $(_xfctl_rule_words "${words[@]:oi+2:nargs-2}")" -- "$cur"))
		fi ;;
	domain)
		if ((nargs == 1)); then
			COMPREPLY=($(compgen -W "show list set" -- "$cur"))
		elif ((nargs == 2)); then
			COMPREPLY=($(compgen -W "default $(_xfctl_domains)" -- "$cur"))
		elif [[ $cmd == set ]]; then
			COMPREPLY=($(compgen -W "mode policy unattributed fail detect window ports hosts flows block-time" -- "$cur"))
		fi ;;
	flows)
		COMPREPLY=($(compgen -W "show list flush dom" -- "$cur")) ;;
	stats)
		((nargs == 1)) && COMPREPLY=($(compgen -W "show" -- "$cur")) ;;
	vif)
		((nargs == 1)) && COMPREPLY=($(compgen -W "list show" -- "$cur")) ;;
	monitor)
		((nargs == 1)) && COMPREPLY=($(compgen -W "$(_xfctl_domains)" -- "$cur")) ;;
	alerts)
		((nargs <= 2)) && COMPREPLY=($(compgen -W "list $(_xfctl_domains)" -- "$cur")) ;;
	ps)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--core --kernel --system-map --profile --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xfctl_domains)" -- "$cur"))
		fi ;;
	profile)
		if ((nargs == 1)); then
			COMPREPLY=($(compgen -W "build show" -- "$cur"))
		elif [[ $cmd == build ]]; then
			COMPREPLY=($(compgen -W "--kernel --system-map --btf --output" -- "$cur"))
		elif [[ $cmd == show ]]; then
			_filedir
		fi ;;
	save|restore)
		((nargs == 1)) && _filedir ;;
	hv)
		if ((nargs == 1)); then
			COMPREPLY=($(compgen -W "probe counters profile rules check test" -- "$cur"))
		else
			case $cmd in
			counters) ((nargs == 2)) && COMPREPLY=($(compgen -W "reset" -- "$cur")) ;;
			profile)
				if ((nargs == 2)); then
					COMPREPLY=($(compgen -W "$(_xfctl_domains)" -- "$cur"))
				else
					COMPREPLY=($(compgen -W "--kernel --profile --slide clear" -- "$cur"))
				fi ;;
			rules)
				if [[ $cur == -* ]]; then
					COMPREPLY=($(compgen -W "--generation --default --unattributed" -- "$cur"))
				else
					_filedir
				fi ;;
			check)
				((nargs == 2)) && COMPREPLY=($(compgen -W "$(_xfctl_domains)" -- "$cur"))
				((nargs > 2 && (nargs - 3) % 5 == 0)) &&
					COMPREPLY=($(compgen -W "tcp udp" -- "$cur")) ;;
			test)
				if ((nargs == 2)); then
					COMPREPLY=($(compgen -W "oversize badflag badaddr badcmd nodomain" -- "$cur"))
				elif ((nargs == 3)); then
					COMPREPLY=($(compgen -W "$(_xfctl_domains)" -- "$cur"))
				fi ;;
			esac
		fi ;;
	esac
}
complete -F _xfctl xfctl
