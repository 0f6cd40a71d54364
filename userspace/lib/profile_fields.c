// SPDX-License-Identifier: GPL-2.0
/*
 * The one list of what a profile holds and where each value comes from.
 * The builder fills struct xf_profile from it, `xfctl profile show`
 * prints from it and xf_profile_check() validates against it, so adding
 * a member means: a field in include/xfilter/profile.h and a row here.
 */
#include <stddef.h>

#include "profile.h"

#define P(f)	((uint32_t)offsetof(struct xf_profile, f))
#define NO_SIZE	XF_FIELD_NO_SIZE

/* The struct's size goes into the uint32 at field. */
#define SIZE(type, field, fl) { type, NULL, P(field), NO_SIZE, fl, NULL }
/* A member of type (a '.' path), checked against the size at sz. */
#define MEM(type, path, field, sz, fl) { type, path, P(field), P(sz), fl, NULL }
#define MEM_ALT(type, path, alt, field, sz, fl) \
	{ type, path, P(field), P(sz), fl, alt }
#define OPT XF_FIELD_OPTIONAL

/* The same in struct xf_profile_path (see XF_FIELD_PATH). */
#define X(f)	((uint32_t)offsetof(struct xf_profile_path, f))
#define XSIZE(type, field) { type, NULL, X(field), NO_SIZE, XF_FIELD_PATH, NULL }
#define XMEM(type, path, field, sz) \
	{ type, path, X(field), X(sz), XF_FIELD_PATH, NULL }

const struct xf_type_field xf_type_fields[] = {
	SIZE("task_struct", task.size, 0),
	MEM("task_struct", "tasks", task.tasks, task.size, 0),
	MEM("task_struct", "pid", task.pid, task.size, 0),
	MEM("task_struct", "tgid", task.tgid, task.size, 0),
	MEM("task_struct", "real_parent", task.real_parent, task.size, 0),
	MEM("task_struct", "parent", task.parent, task.size, 0),
	MEM("task_struct", "group_leader", task.group_leader, task.size, 0),
	MEM("task_struct", "thread_group", task.thread_group, task.size, OPT),
	MEM("task_struct", "thread_node", task.thread_node, task.size, 0),
	MEM("task_struct", "signal", task.signal, task.size, 0),
	MEM("task_struct", "comm", task.comm, task.size, 0),
	MEM("task_struct", "cred", task.cred, task.size, 0),
	MEM("task_struct", "real_cred", task.real_cred, task.size, 0),
	MEM("task_struct", "files", task.files, task.size, 0),
	MEM("task_struct", "mm", task.mm, task.size, 0),
	MEM("task_struct", "nsproxy", task.nsproxy, task.size, 0),
	MEM_ALT("task_struct", "__state", "state", task.state, task.size, OPT),
	MEM("task_struct", "flags", task.flags, task.size, OPT),

	SIZE("signal_struct", signal.size, 0),
	MEM("signal_struct", "thread_head", signal.thread_head, signal.size, 0),
	MEM("signal_struct", "nr_threads", signal.nr_threads, signal.size, OPT),

	SIZE("cred", cred.size, 0),
	MEM("cred", "uid", cred.uid, cred.size, 0),
	MEM("cred", "gid", cred.gid, cred.size, 0),
	MEM("cred", "euid", cred.euid, cred.size, 0),
	MEM("cred", "egid", cred.egid, cred.size, 0),

	SIZE("mm_struct", mm.size, OPT),
	MEM("mm_struct", "pgd", mm.pgd, mm.size, OPT),
	MEM("mm_struct", "exe_file", mm.exe_file, mm.size, OPT),

	SIZE("nsproxy", net.nsproxy_size, 0),
	SIZE("net", net.net_size, 0),
	MEM("nsproxy", "net_ns", net.nsproxy_net_ns, net.nsproxy_size, 0),
	MEM("net", "ns.inum", net.ns_inum, net.net_size, OPT),
	MEM("net", "ipv4.tcp_death_row.hashinfo", net.tcp_hashinfo,
	    net.net_size, OPT),
	MEM("net", "ipv4.udp_table", net.udp_table, net.net_size, OPT),
	MEM("net", "hash_mix", net.hash_mix, net.net_size, OPT),

	SIZE("files_struct", files.files_struct_size, 0),
	SIZE("fdtable", files.fdtable_size, 0),
	MEM("files_struct", "fdt", files.fdt, files.files_struct_size, 0),
	MEM("fdtable", "max_fds", files.max_fds, files.fdtable_size, 0),
	MEM("fdtable", "fd", files.fd, files.fdtable_size, 0),

	SIZE("file", file.size, 0),
	SIZE("dentry", file.dentry_size, OPT),
	MEM("file", "f_op", file.f_op, file.size, 0),
	MEM("file", "f_inode", file.f_inode, file.size, 0),
	MEM("file", "private_data", file.private_data, file.size, 0),
	MEM("file", "f_path.dentry", file.f_path_dentry, file.size, OPT),
	MEM("dentry", "d_parent", file.d_parent, file.dentry_size, OPT),
	MEM("dentry", "d_name.name", file.d_name_name, file.dentry_size, OPT),
	MEM("dentry", "d_name.len", file.d_name_len, file.dentry_size, OPT),

	/* exe paths across mounts: struct xf_profile_path */
	XSIZE("file", vfs.file_size),
	XSIZE("task_struct", vfs.task_size),
	XSIZE("mount", vfs.mount_size),
	XSIZE("vfsmount", vfs.vfsmount_size),
	XSIZE("fs_struct", vfs.fs_struct_size),
	XMEM("file", "f_path.mnt", vfs.f_path_mnt, vfs.file_size),
	XMEM("mount", "mnt", vfs.mnt, vfs.mount_size),
	XMEM("mount", "mnt_parent", vfs.mnt_parent, vfs.mount_size),
	XMEM("mount", "mnt_mountpoint", vfs.mnt_mountpoint, vfs.mount_size),
	XMEM("vfsmount", "mnt_root", vfs.mnt_root, vfs.vfsmount_size),
	XMEM("task_struct", "fs", vfs.task_fs, vfs.task_size),
	XMEM("fs_struct", "root.mnt", vfs.fs_root_mnt, vfs.fs_struct_size),
	XMEM("fs_struct", "root.dentry", vfs.fs_root_dentry,
	     vfs.fs_struct_size),

	SIZE("inode", inode.size, 0),
	SIZE("socket_alloc", inode.socket_alloc_size, 0),
	MEM("inode", "i_mode", inode.i_mode, inode.size, 0),
	MEM("inode", "i_ino", inode.i_ino, inode.size, OPT),
	MEM("socket_alloc", "socket", inode.sa_socket,
	    inode.socket_alloc_size, 0),
	MEM("socket_alloc", "vfs_inode", inode.sa_vfs_inode,
	    inode.socket_alloc_size, 0),

	SIZE("socket", socket.size, 0),
	MEM("socket", "state", socket.state, socket.size, 0),
	MEM("socket", "type", socket.type, socket.size, 0),
	MEM("socket", "file", socket.file, socket.size, 0),
	MEM("socket", "sk", socket.sk, socket.size, 0),

	SIZE("sock_common", skc.size, 0),
	MEM("sock_common", "skc_daddr", skc.skc_daddr, skc.size, 0),
	MEM("sock_common", "skc_rcv_saddr", skc.skc_rcv_saddr, skc.size, 0),
	MEM("sock_common", "skc_hash", skc.skc_hash, skc.size, OPT),
	MEM("sock_common", "skc_dport", skc.skc_dport, skc.size, 0),
	MEM("sock_common", "skc_num", skc.skc_num, skc.size, 0),
	MEM("sock_common", "skc_family", skc.skc_family, skc.size, 0),
	MEM("sock_common", "skc_state", skc.skc_state, skc.size, 0),
	MEM("sock_common", "skc_ipv6only", skc.skc_ipv6only, skc.size, OPT),
	MEM("sock_common", "skc_bound_dev_if", skc.skc_bound_dev_if,
	    skc.size, OPT),
	MEM("sock_common", "skc_portaddr_node", skc.skc_portaddr_node,
	    skc.size, OPT),
	MEM("sock_common", "skc_net", skc.skc_net, skc.size, 0),
	MEM("sock_common", "skc_v6_daddr", skc.skc_v6_daddr, skc.size, OPT),
	MEM("sock_common", "skc_v6_rcv_saddr", skc.skc_v6_rcv_saddr,
	    skc.size, OPT),
	MEM("sock_common", "skc_node", skc.skc_node, skc.size, 0),
	MEM("sock_common", "skc_nulls_node", skc.skc_nulls_node, skc.size, 0),

	SIZE("sock", sock.size, 0),
	SIZE("inet_sock", sock.inet_sock_size, OPT),
	MEM("sock", "__sk_common", sock.sk_common, sock.size, 0),
	MEM("sock", "sk_protocol", sock.sk_protocol, sock.size, 0),
	MEM("sock", "sk_type", sock.sk_type, sock.size, 0),
	MEM("sock", "sk_uid", sock.sk_uid, sock.size, OPT),
	MEM("sock", "sk_socket", sock.sk_socket, sock.size, 0),
	MEM("inet_sock", "inet_saddr", sock.inet_saddr, sock.inet_sock_size,
	    OPT),
	MEM("inet_sock", "inet_sport", sock.inet_sport, sock.inet_sock_size,
	    OPT),
	{ "inet_connection_sock", "icsk_listen_portaddr_node",
	  P(sock.icsk_listen_portaddr_node), NO_SIZE, OPT, NULL },

	SIZE("inet_hashinfo", hash.inet_hashinfo_size, 0),
	SIZE("udp_table", hash.udp_table_size, 0),
	SIZE("inet_ehash_bucket", hash.inet_ehash_bucket_size, 0),
	SIZE("inet_listen_hashbucket", hash.inet_listen_hashbucket_size, 0),
	SIZE("udp_hslot", hash.udp_hslot_size, 0),
	MEM("inet_hashinfo", "ehash", hash.ehash, hash.inet_hashinfo_size, 0),
	MEM("inet_hashinfo", "ehash_mask", hash.ehash_mask,
	    hash.inet_hashinfo_size, 0),
	MEM("inet_hashinfo", "lhash2", hash.lhash2, hash.inet_hashinfo_size, 0),
	MEM("inet_hashinfo", "lhash2_mask", hash.lhash2_mask,
	    hash.inet_hashinfo_size, 0),
	MEM("inet_ehash_bucket", "chain", hash.ehash_bucket_chain,
	    hash.inet_ehash_bucket_size, 0),
	MEM_ALT("inet_listen_hashbucket", "nulls_head", "head",
		hash.ilb_nulls_head, hash.inet_listen_hashbucket_size, 0),
	MEM("udp_table", "hash", hash.udp_hash, hash.udp_table_size, 0),
	MEM("udp_table", "hash2", hash.udp_hash2, hash.udp_table_size, 0),
	MEM("udp_table", "mask", hash.udp_mask, hash.udp_table_size, 0),
	MEM("udp_table", "log", hash.udp_log, hash.udp_table_size, 0),
	MEM("udp_hslot", "head", hash.hslot_head, hash.udp_hslot_size, 0),
	MEM("udp_hslot", "count", hash.hslot_count, hash.udp_hslot_size, 0),

	SIZE("list_head", lists.list_head_size, 0),
	SIZE("hlist_node", lists.hlist_node_size, 0),
	MEM("list_head", "next", lists.list_next, lists.list_head_size, 0),
	MEM("list_head", "prev", lists.list_prev, lists.list_head_size, 0),
	{ "hlist_head", "first", P(lists.hlist_first), NO_SIZE, 0, NULL },
	MEM("hlist_node", "next", lists.hlist_next, lists.hlist_node_size, 0),
	{ "hlist_nulls_head", "first", P(lists.hlist_nulls_first), NO_SIZE, 0,
	  NULL },
	{ "hlist_nulls_node", "next", P(lists.hlist_nulls_next), NO_SIZE, 0,
	  NULL },

	/* the owner from the socket itself (version 3), all optional */
	SIZE("cgroup", own.cgroup_size, OPT),
	SIZE("kernfs_node", own.kernfs_node_size, OPT),
	MEM("file", "f_cred", own.f_cred, file.size, OPT),
	MEM("sock", "sk_cgrp_data.cgroup", own.sk_cgrp, sock.size, OPT),
	MEM("cgroup", "kn", own.cgroup_kn, own.cgroup_size, OPT),
	/* 6.15 renamed it __parent (RCU-managed), the same pointer */
	MEM_ALT("kernfs_node", "parent", "__parent", own.kn_parent,
		own.kernfs_node_size, OPT),
	MEM("kernfs_node", "name", own.kn_name, own.kernfs_node_size, OPT),
	MEM("kernfs_node", "id", own.kn_id, own.kernfs_node_size, OPT),
	MEM("fdtable", "open_fds", own.open_fds, files.fdtable_size, OPT),
};
const size_t xf_nr_type_fields = sizeof(xf_type_fields) / sizeof(xf_type_fields[0]);

#define SYM(name, fl) { #name, P(sym.name), fl }

const struct xf_sym_field xf_sym_fields[] = {
	SYM(_text, 0),
	SYM(_etext, OPT),
	SYM(_end, OPT),
	SYM(init_task, 0),
	SYM(linux_banner, 0),
	SYM(tasklist_lock, 0),
	SYM(socket_file_ops, 0),
	SYM(tcp_hashinfo, 0),
	SYM(udp_table, 0),
	SYM(udplite_table, OPT),
	SYM(init_net, 0),
	SYM(page_offset_base, 0),
	SYM(phys_base, 0),
	SYM(vmemmap_base, OPT),
	SYM(vmalloc_base, OPT),
	SYM(init_top_pgt, OPT),
	SYM(init_uts_ns, OPT),
	SYM(inet_ehash_secret, OPT),
	SYM(inet6_ehash_secret, OPT),
	SYM(ipv6_hash_secret, OPT),
};
const size_t xf_nr_sym_fields = sizeof(xf_sym_fields) / sizeof(xf_sym_fields[0]);
