/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * struct xf_profile: what the guest-kernel walker needs to know about one
 * guest kernel build, extracted once in userland from the kernel image
 * (BTF for types, the image's own kallsyms tables for symbols) by
 * `xfctl profile build`, and then handed unchanged to core/ in userland,
 * in xfilter.ko and in the Xen filter module.
 *
 * The layout is fixed: only fixed-width integers and char arrays, every
 * field naturally aligned, explicit padding, no pointers, little-endian
 * (the only architecture is x86_64). It can therefore be copied through a
 * hypercall or netlink attribute as a byte blob. A reader must check, in
 * this order, before trusting anything else:
 *
 *	magic == XF_PROFILE_MAGIC, version == XF_PROFILE_VERSION,
 *	size == sizeof(struct xf_profile), arch == XF_PROFILE_ARCH_X86_64,
 *	banner[] and release[] NUL-terminated.
 *
 * Every member a reader uses must also be checked against its group's
 * struct size (xf_member_fits()): the profile file may come from anywhere.
 *
 * Compatibility: appending groups or members at the end of a group is an
 * incompatible change like any other (size changes), so bump
 * XF_PROFILE_VERSION. Profiles are cheap to rebuild from the image.
 *
 * Addresses are *unrelocated*: the values in the image (for x86_64 the link
 * address, _text == 0xffffffff81000000 on Debian). A guest booted with
 * KASLR has them slid by a virtual offset; the backend finds it (linux_banner
 * is at sym.linux_banner + slide and reads as banner[]) and adds it.
 */
#ifndef XF_PROFILE_H
#define XF_PROFILE_H

#if defined(__KERNEL__)
#include <linux/types.h>
#elif defined(__XEN__)
#include <xen/types.h>
#else
#include <stdint.h>
#endif

#define XF_PROFILE_MAGIC	0x46505846u	/* bytes "FXPF" in a file */
#define XF_PROFILE_VERSION	3
#define XF_PROFILE_ARCH_X86_64	1

#define XF_PROFILE_BANNER_LEN	256	/* linux_banner is ~180 bytes */
#define XF_PROFILE_RELEASE_LEN	72	/* utsname release[65], rounded up */

/* xf_member.off of a member the guest kernel does not have. */
#define XF_MEMBER_ABSENT	0xffffffffu

/*
 * One struct member (or a path through embedded members/anonymous unions,
 * e.g. net -> ipv4.tcp_death_row.hashinfo): read `size` bytes at `off` from
 * the start of the outer struct.
 *
 * Bitfields (sk_protocol was one before 5.6): bit_size != 0; read `size`
 * bytes little-endian at `off` (size is 1..8), shift right by bit_shift and
 * keep the low bit_size bits. For ordinary members bit_size == 0 and
 * bit_shift == 0. Arrays (comm, in6 addresses) have size = whole array.
 */
struct xf_member {
	uint32_t off;		/* XF_MEMBER_ABSENT if the kernel lacks it */
	uint16_t size;		/* bytes */
	uint8_t bit_shift;
	uint8_t bit_size;
};

static inline int xf_member_present(const struct xf_member *m)
{
	return m->off != XF_MEMBER_ABSENT;
}

/* The member is present and lies within a struct of struct_size bytes. */
static inline int xf_member_fits(const struct xf_member *m,
				 uint32_t struct_size)
{
	return m->off != XF_MEMBER_ABSENT && m->size != 0 &&
	       m->off <= struct_size && m->size <= struct_size - m->off;
}

/*
 * Every group below is `uint32_t size; uint32_t _pad;` followed only by
 * struct xf_member entries, so a generic checker can iterate a group as an
 * array: (sizeof(group) - 8) / sizeof(struct xf_member) members.
 * `size` is sizeof() of the guest's struct (0 if the struct is missing).
 */

/* task_struct: walk the task list from init_task via tasks, identify
 * thread-group leaders (pid == tgid), their parent, creds, comm, fd table,
 * network namespace, and fold threads in via signal->thread_head /
 * thread_node (thread_group: <= 6.6 only; absent later). */
struct xf_prof_task {
	uint32_t size;
	uint32_t _pad;
	struct xf_member tasks;		/* struct list_head */
	struct xf_member pid;
	struct xf_member tgid;
	struct xf_member real_parent;
	struct xf_member parent;
	struct xf_member group_leader;
	struct xf_member thread_group;	/* optional: removed in 6.7 */
	struct xf_member thread_node;	/* list_head on signal->thread_head */
	struct xf_member signal;
	struct xf_member comm;		/* char[TASK_COMM_LEN] */
	struct xf_member cred;
	struct xf_member real_cred;
	struct xf_member files;
	struct xf_member mm;		/* NULL for kernel threads */
	struct xf_member nsproxy;
	struct xf_member state;		/* __state (>= 5.14) or state */
	struct xf_member flags;		/* PF_KTHREAD */
};

/* signal_struct: the thread list of a thread group. */
struct xf_prof_signal {
	uint32_t size;
	uint32_t _pad;
	struct xf_member thread_head;	/* list_head of task.thread_node */
	struct xf_member nr_threads;
};

/* cred: owner of a process (kuid_t/kgid_t are one u32). */
struct xf_prof_cred {
	uint32_t size;
	uint32_t _pad;
	struct xf_member uid;
	struct xf_member gid;
	struct xf_member euid;
	struct xf_member egid;
};

/* mm_struct: executable path (exe_file) and the page-table root a
 * backend needs to read a process's user memory. Both optional. */
struct xf_prof_mm {
	uint32_t size;
	uint32_t _pad;
	struct xf_member pgd;
	struct xf_member exe_file;
};

/* nsproxy/net: which network namespace a process or socket lives in,
 * and the per-namespace hash tables (net.ipv4.tcp_death_row.hashinfo,
 * >= 6.1; net.ipv4.udp_table, >= 6.2: both optional, else use the global
 * tcp_hashinfo / udp_table symbols). */
struct xf_prof_net {
	uint32_t nsproxy_size;
	uint32_t net_size;
	struct xf_member nsproxy_net_ns;	/* in struct nsproxy */
	struct xf_member ns_inum;		/* net.ns.inum */
	struct xf_member tcp_hashinfo;		/* net.ipv4.tcp_death_row.hashinfo */
	struct xf_member udp_table;		/* net.ipv4.udp_table */
	struct xf_member hash_mix;		/* net.hash_mix: seeds the
						 * socket hash functions */
};

/* files_struct/fdtable: fd -> struct file *. Bound fd walks by max_fds
 * and by a walker cap, never by the guest alone. */
struct xf_prof_files {
	uint32_t files_struct_size;
	uint32_t fdtable_size;
	struct xf_member fdt;		/* in files_struct */
	struct xf_member max_fds;	/* in fdtable */
	struct xf_member fd;		/* in fdtable: struct file ** */
};

/* file/path/dentry/qstr: a socket file is f_op == socket_file_ops (or
 * f_inode->i_mode is S_IFSOCK); private_data is then the struct socket.
 * f_path.dentry->d_name names an executable (exe path is optional). */
struct xf_prof_file {
	uint32_t size;
	uint32_t dentry_size;
	struct xf_member f_op;
	struct xf_member f_inode;
	struct xf_member private_data;
	struct xf_member f_path_dentry;	/* file.f_path.dentry */
	struct xf_member d_parent;	/* in dentry */
	struct xf_member d_name_name;	/* dentry.d_name.name */
	struct xf_member d_name_len;	/* dentry.d_name.len */
};

/* inode and socket_alloc: S_IFSOCK check, and SOCKET_I() (socket =
 * inode - vfs_inode + socket) when private_data cannot be used. */
struct xf_prof_inode {
	uint32_t size;
	uint32_t socket_alloc_size;
	struct xf_member i_mode;
	struct xf_member i_ino;
	struct xf_member sa_socket;	/* socket_alloc.socket */
	struct xf_member sa_vfs_inode;	/* socket_alloc.vfs_inode */
};

/* struct socket: the BSD socket behind a socket file. */
struct xf_prof_socket {
	uint32_t size;
	uint32_t _pad;
	struct xf_member state;
	struct xf_member type;
	struct xf_member file;
	struct xf_member sk;
};

/* sock_common (at offset sock.__sk_common inside struct sock, and the
 * whole of an inet_timewait_sock/request_sock's common part): the flow
 * 5-tuple, TCP state and the hash-chain links. skc_node links UDP
 * (udp_table.hash) and TCP bind chains; skc_nulls_node links TCP ehash
 * and (>= 5.19) lhash2; skc_portaddr_node links udp_table.hash2. */
struct xf_prof_sock_common {
	uint32_t size;
	uint32_t _pad;
	struct xf_member skc_daddr;
	struct xf_member skc_rcv_saddr;
	struct xf_member skc_hash;
	struct xf_member skc_dport;
	struct xf_member skc_num;		/* local port, host order */
	struct xf_member skc_family;
	struct xf_member skc_state;
	struct xf_member skc_ipv6only;		/* bitfield */
	struct xf_member skc_bound_dev_if;
	struct xf_member skc_portaddr_node;
	struct xf_member skc_net;		/* possible_net_t: struct net * */
	struct xf_member skc_v6_daddr;		/* optional: CONFIG_IPV6 */
	struct xf_member skc_v6_rcv_saddr;	/* optional: CONFIG_IPV6 */
	struct xf_member skc_node;
	struct xf_member skc_nulls_node;
};

/* struct sock: protocol (bitfield before 5.6), type, the owner uid that
 * attributes a flow without a task walk, and the back link to the
 * struct socket (NULL for orphaned/timewait). inet_sock/icsk are optional
 * extras: source address for sending, and the pre-5.19 lhash2 link. */
struct xf_prof_sock {
	uint32_t size;
	uint32_t inet_sock_size;
	struct xf_member sk_common;		/* sock.__sk_common */
	struct xf_member sk_protocol;
	struct xf_member sk_type;
	struct xf_member sk_uid;		/* optional: >= 4.10 */
	struct xf_member sk_socket;
	struct xf_member inet_saddr;		/* in inet_sock */
	struct xf_member inet_sport;		/* in inet_sock, network order */
	struct xf_member icsk_listen_portaddr_node; /* optional: < 5.19 */
};

/* Fast flow lookup through the kernel's own hash tables:
 * tcp_hashinfo.ehash[hash & ehash_mask].chain (established, timewait,
 * request socks; hlist_nulls: a chain ends at an odd "pointer"),
 * tcp_hashinfo.lhash2[hash & lhash2_mask].nulls_head (listeners), and
 * udp_table.hash[hslot] / hash2 (udp_hslot.head, an hlist). The walker
 * does not reimplement the kernel's jhash: it may scan buckets. */
struct xf_prof_hash {
	uint32_t inet_hashinfo_size;
	uint32_t udp_table_size;
	struct xf_member ehash;			/* inet_hashinfo.* */
	struct xf_member ehash_mask;
	struct xf_member lhash2;
	struct xf_member lhash2_mask;
	struct xf_member ehash_bucket_chain;	/* inet_ehash_bucket.chain */
	struct xf_member ilb_nulls_head;	/* inet_listen_hashbucket.nulls_head */
	struct xf_member udp_hash;		/* udp_table.* */
	struct xf_member udp_hash2;
	struct xf_member udp_mask;
	struct xf_member udp_log;
	struct xf_member hslot_head;		/* udp_hslot.head */
	struct xf_member hslot_count;		/* udp_hslot.count */
	/* Array element strides: */
	uint32_t inet_ehash_bucket_size;
	uint32_t inet_listen_hashbucket_size;
	uint32_t udp_hslot_size;
	uint32_t _pad2;
};

/*
 * Who owns a socket, read from the socket itself (core/vmi_owner.c): the
 * socket file's f_cred (the opener's credentials, what xt_owner uses),
 * the cgroup the socket was created in (sock.sk_cgrp_data.cgroup, a
 * struct cgroup whose kn is a kernfs_node chain up to the hierarchy root)
 * and fdtable.open_fds, the bitmap that bounds a search for the task
 * holding the file by open fds rather than by table size. Every member is
 * optional: without one, that part is not read (no XF_OWNER_F_* flag).
 */
struct xf_prof_sockown {
	uint32_t cgroup_size;		/* struct cgroup */
	uint32_t kernfs_node_size;	/* struct kernfs_node */
	struct xf_member f_cred;	/* file.f_cred (file.size) */
	struct xf_member sk_cgrp;	/* sock.sk_cgrp_data.cgroup (sock.size) */
	struct xf_member cgroup_kn;	/* cgroup.kn */
	struct xf_member kn_parent;	/* kernfs_node.parent (NULL: root) */
	struct xf_member kn_name;	/* kernfs_node.name: const char * */
	struct xf_member kn_id;		/* kernfs_node.id: the cgroup id */
	struct xf_member open_fds;	/* fdtable.open_fds (files.fdtable_size) */
};

/* List link layouts, recorded rather than assumed. */
struct xf_prof_lists {
	uint32_t list_head_size;
	uint32_t hlist_node_size;
	struct xf_member list_next;		/* list_head.next */
	struct xf_member list_prev;
	struct xf_member hlist_first;		/* hlist_head.first */
	struct xf_member hlist_next;		/* hlist_node.next */
	struct xf_member hlist_nulls_first;	/* hlist_nulls_head.first */
	struct xf_member hlist_nulls_next;	/* hlist_nulls_node.next */
};

/*
 * Symbol addresses as linked (0 = not found; only optional ones may be 0
 * in a profile that `xfctl profile build` accepted).
 */
struct xf_prof_syms {
	uint64_t _text;			/* start of the kernel image */
	uint64_t _etext;		/* optional */
	uint64_t _end;			/* optional */
	uint64_t init_task;		/* head of the task list */
	uint64_t linux_banner;		/* KASLR check: holds banner[] */
	uint64_t tasklist_lock;		/* rwlock_t: held => retry */
	uint64_t socket_file_ops;	/* file.f_op of socket files */
	uint64_t tcp_hashinfo;		/* struct inet_hashinfo */
	uint64_t udp_table;		/* struct udp_table */
	uint64_t udplite_table;		/* optional */
	uint64_t init_net;		/* struct net */
	uint64_t page_offset_base;	/* u64 variable: direct-map base */
	uint64_t phys_base;		/* u64 variable: phys - virt delta */
	uint64_t vmemmap_base;		/* optional (KASLR memory) */
	uint64_t vmalloc_base;		/* optional (KASLR memory) */
	uint64_t init_top_pgt;		/* optional: swapper page tables */
	uint64_t init_uts_ns;		/* optional: uts release string */
	/* optional: the ehash secrets (function-local statics, kallsyms
	 * only), so the walker can hash a 4-tuple like the kernel does */
	uint64_t inet_ehash_secret;
	uint64_t inet6_ehash_secret;
	uint64_t ipv6_hash_secret;
	uint64_t _reserved[4];
};

/* Where the symbols and types came from (flags). */
#define XF_PROFILE_F_KALLSYMS	(1u << 0)	/* image's kallsyms tables */
#define XF_PROFILE_F_SYSTEM_MAP	(1u << 1)	/* System.map / kallsyms file */
#define XF_PROFILE_F_KSYMTAB	(1u << 2)	/* cross-checked vs __ksymtab */
#define XF_PROFILE_F_BTF_ELF	(1u << 3)	/* .BTF of a vmlinux ELF */
#define XF_PROFILE_F_BTF_RAW	(1u << 4)	/* raw BTF blob */

struct xf_profile {
	uint32_t magic;			/* XF_PROFILE_MAGIC */
	uint16_t version;		/* XF_PROFILE_VERSION */
	uint16_t arch;			/* XF_PROFILE_ARCH_X86_64 */
	uint32_t size;			/* sizeof(struct xf_profile) */
	uint32_t flags;			/* XF_PROFILE_F_* */

	/*
	 * KASLR detection and identification. banner is the bytes of
	 * linux_banner in the image ("Linux version 6.1.0-56-amd64 (...)
	 * ... \n"), NUL-terminated, banner_len bytes without the NUL
	 * (truncated to fit if longer). release is "6.1.0-56-amd64".
	 * kernel_map is __START_KERNEL_map and phys_start the unrelocated
	 * physical address of _text (_text - kernel_map), so a backend can
	 * find the physical slide by looking for banner[] at
	 * phys(linux_banner) + slide.
	 */
	char banner[XF_PROFILE_BANNER_LEN];
	char release[XF_PROFILE_RELEASE_LEN];
	uint32_t banner_len;
	uint32_t nr_kallsyms;		/* symbols in the image (info) */
	uint64_t kernel_map;
	uint64_t phys_start;

	struct xf_prof_syms sym;

	struct xf_prof_task task;
	struct xf_prof_signal signal;
	struct xf_prof_cred cred;
	struct xf_prof_mm mm;
	struct xf_prof_net net;
	struct xf_prof_files files;
	struct xf_prof_file file;
	struct xf_prof_inode inode;
	struct xf_prof_socket socket;
	struct xf_prof_sock_common skc;
	struct xf_prof_sock sock;
	struct xf_prof_hash hash;
	struct xf_prof_lists lists;
	struct xf_prof_sockown own;	/* version 3 */
};

/*
 * struct xf_profile_path: what reading an executable's path needs beyond
 * struct xf_profile (which already has task.mm, mm.exe_file,
 * file.f_path_dentry and dentry.d_parent/d_name): the mount tree, so a
 * path is followed across mount points and bind mounts, and the root it is
 * read against (init_task->fs->root, as d_path() from the init process).
 *
 * It is a separate struct, not a group of struct xf_profile, because
 * struct xf_profile's size is part of the hypercall ABI (XF_HV_ABI_VERSION
 * 1: Xen and xfilter.ko refuse any other sizeof). Only userland uses it:
 * a profile file is struct xf_profile followed by struct xf_profile_path,
 * and the walker gets it through xf_vmi_set_path(). Without it (xfilter.ko,
 * Xen) exe is not read. When the hypercall ABI is next bumped, this becomes
 * groups of struct xf_profile and Xen reads exe too.
 *
 * Same rules as struct xf_profile: fixed layout, groups of `sizes` then
 * struct xf_member entries, a reader checks magic, version and size first
 * and every member against its struct size.
 */
#define XF_PROFILE_PATH_MAGIC	0x50505846u	/* bytes "FXPP" in a file */
#define XF_PROFILE_PATH_VERSION	1

/* struct mount (fs/mount.h) embeds the struct vfsmount that
 * file.f_path.mnt points to; fs_struct.root is the root a task sees. */
struct xf_prof_vfs {
	uint32_t file_size;		/* struct file */
	uint32_t task_size;		/* struct task_struct */
	uint32_t mount_size;		/* struct mount */
	uint32_t vfsmount_size;		/* struct vfsmount */
	uint32_t fs_struct_size;	/* struct fs_struct */
	uint32_t _pad;
	struct xf_member f_path_mnt;	/* file.f_path.mnt: vfsmount * */
	struct xf_member mnt;		/* mount.mnt: the vfsmount inside */
	struct xf_member mnt_parent;	/* mount.mnt_parent: mount * */
	struct xf_member mnt_mountpoint; /* mount.mnt_mountpoint: dentry * */
	struct xf_member mnt_root;	/* vfsmount.mnt_root: dentry * */
	struct xf_member task_fs;	/* task_struct.fs: fs_struct * */
	struct xf_member fs_root_mnt;	/* fs_struct.root.mnt */
	struct xf_member fs_root_dentry; /* fs_struct.root.dentry */
};

struct xf_profile_path {
	uint32_t magic;			/* XF_PROFILE_PATH_MAGIC */
	uint16_t version;		/* XF_PROFILE_PATH_VERSION */
	uint16_t _pad;
	uint32_t size;			/* sizeof(struct xf_profile_path) */
	uint32_t _pad2;
	struct xf_prof_vfs vfs;
};

/*
 * The layout is an ABI between userland, xfilter.ko and Xen: pin it.
 * 8-byte alignment of every group keeps the blob identical for 32-bit
 * and 64-bit builders.
 */
_Static_assert(sizeof(struct xf_member) == 8, "xf_member layout");
_Static_assert(sizeof(struct xf_prof_syms) == 24 * 8, "xf_prof_syms layout");
_Static_assert(sizeof(struct xf_profile) % 8 == 0, "xf_profile padding");
_Static_assert(sizeof(struct xf_profile_path) == 16 + 24 + 8 * 8,
	       "xf_profile_path layout");

#endif /* XF_PROFILE_H */
