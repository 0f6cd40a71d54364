/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xfilter: the filter module inside Xen (fast mode).
 *
 * One hypercall, __HYPERVISOR_xfilter_op (__HYPERVISOR_arch_7), whose
 * sub-ops and argument structs are defined once in the xfilter tree, in
 * include/xfilter/hypercall.h. The decision logic is xfilter's own
 * freestanding core (core/: rule matching, the guest-kernel walker), linked
 * into this directory unchanged by scripts/build-xen.sh; this file only
 * supplies what is Xen's: argument checking, the guest memory reader, the
 * per-domain profiles, the rule table and the counters.
 *
 * Trust: the caller is the control domain (checked on every call) and its
 * arguments are still checked field by field. The guest being inspected is
 * hostile and controls every byte the walker reads: the reader translates
 * guest virtual addresses itself, refuses Xen's own slots and any page the
 * guest does not own (grant mappings, MMIO), and the walker's work per call
 * is bounded by a read budget shared by the whole batch, with a small
 * floor per flow (XF_READS_FLOOR) so that the socket's own credentials
 * are always read: one guest user's flows cannot use up the batch and
 * leave another's unattributed.
 *
 * Consistency: the guest is paused (domain_pause()) for the length of a
 * batch, so a walk sees one coherent snapshot of its kernel. A snapshot
 * taken while the guest held tasklist_lock for writing is detected by the
 * walker (XF_VMI_EAGAIN); the guest is then let run briefly and the flow
 * retried, at most XF_RETRIES times, before it is reported unattributed.
 *
 * Locking: xf_lock (rwlock) protects the profiles and the rule table;
 * checks hold it for reading, loads for writing. xf_stats_lock protects
 * the counters.
 */

#include <xen/errno.h>
#include <xen/guest_access.h>
#include <xen/domain_page.h>
#include <xen/hypercall.h>
#include <xen/lib.h>
#include <xen/mm.h>
#include <xen/rwlock.h>
#include <xen/sched.h>
#include <xen/spinlock.h>
#include <xen/time.h>
#include <xen/vmap.h>
#include <xen/xmalloc.h>

#include <asm/p2m.h>
#include <asm/paging.h>

#include <xfilter/hypercall.h>
#include <xfilter/profile.h>

#include "rule.h"
#include "vmi.h"

/* Work per XF_HV_CHECK: guest reads for one flow, and for the batch. */
#define XF_READS_PER_FLOW   (1u << 15)
#define XF_READS_PER_CALL   (1u << 18)
/* Per flow whatever the batch spent: socket lookup, creds, cgroup path. */
#define XF_READS_FLOOR      512
#define XF_RETRIES          2

/* Translations cached per batch (the guest is paused meanwhile). */
#define XF_TLB_SIZE         16

struct xf_dom_profile {
    struct xf_profile *prof;        /* NULL: free slot */
    domid_t domid;
    xen_domain_handle_t handle;     /* UUID: a reused domid is not ours */
    uint64_t slide;
};

struct xf_ruleset {
    struct xf_rule_table t;
    struct xf_dom_policy doms[XF_HV_DOMS_MAX];
    struct xf_rule rules[];
};

struct xf_tlb_entry {
    unsigned long vpn;              /* guest va >> PAGE_SHIFT */
    struct page_info *page;         /* a reference is held; NULL: empty */
};

struct xf_reader {
    struct domain *d;
    mfn_t root;                     /* PV: the kernel's L4 */
    uint64_t reads, faults;
    struct xf_tlb_entry tlb[XF_TLB_SIZE];
};

/* Log-linear histogram: 8 steps per power of two. */
#define XF_HIST_SUB         8
#define XF_HIST_BUCKETS     (64 * XF_HIST_SUB)

static DEFINE_RWLOCK(xf_lock);
static struct xf_dom_profile xf_profiles[XF_HV_PROFILES_MAX];
static unsigned int xf_nr_profiles;
static struct xf_ruleset *xf_rules;

static DEFINE_SPINLOCK(xf_stats_lock);
static struct xf_hv_counters xf_stats;
static uint64_t xf_hist[XF_HIST_BUCKETS];

/* ---- guest memory ----------------------------------------------------- */

/* A reference to the guest-owned RAM page that maps va, or NULL. */
static struct page_info *xf_pv_translate(const struct xf_reader *r,
                                         unsigned long va)
{
    struct domain *d = r->d;
    l4_pgentry_t l4e, *l4t;
    l3_pgentry_t l3e, *l3t;
    l2_pgentry_t l2e, *l2t;
    l1_pgentry_t l1e, *l1t;
    struct page_info *page;
    mfn_t mfn;

    /* Xen's own slots are mapped in every PV L4: never read through them. */
    if ( mfn_eq(r->root, INVALID_MFN) || !is_canonical_address(va) ||
         (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END) )
        return NULL;

    /*
     * The tables below a PV guest's validated root are themselves
     * validated page tables of the guest, and it is paused: no
     * superpages (PV guests may not use them), present bits checked.
     */
    l4t = map_domain_page(r->root);
    l4e = l4t[l4_table_offset(va)];
    unmap_domain_page(l4t);
    if ( !(l4e_get_flags(l4e) & _PAGE_PRESENT) )
        return NULL;

    l3t = map_domain_page(l4e_get_mfn(l4e));
    l3e = l3t[l3_table_offset(va)];
    unmap_domain_page(l3t);
    if ( (l3e_get_flags(l3e) & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT )
        return NULL;

    l2t = map_domain_page(l3e_get_mfn(l3e));
    l2e = l2t[l2_table_offset(va)];
    unmap_domain_page(l2t);
    if ( (l2e_get_flags(l2e) & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT )
        return NULL;

    l1t = map_domain_page(l2e_get_mfn(l2e));
    l1e = l1t[l1_table_offset(va)];
    unmap_domain_page(l1t);
    if ( !(l1e_get_flags(l1e) & _PAGE_PRESENT) )
        return NULL;

    /* Only pages the guest owns: not MMIO, not another domain's grants. */
    mfn = l1e_get_mfn(l1e);
    if ( !mfn_valid(mfn) )
        return NULL;
    page = mfn_to_page(mfn);
    if ( !get_page(page, d) )
        return NULL;

    return page;
}

static struct page_info *xf_hvm_translate(const struct xf_reader *r,
                                          unsigned long va)
{
    uint32_t pfec = PFEC_page_present;
    struct page_info *page;
    unsigned long gfn;
    p2m_type_t t;

    gfn = paging_gva_to_gfn(r->d->vcpu[0], va, &pfec);
    if ( gfn == gfn_x(INVALID_GFN) )
        return NULL;

    page = get_page_from_gfn(r->d, gfn, &t, P2M_ALLOC);
    if ( page && !p2m_is_ram(t) )
    {
        put_page(page);
        page = NULL;
    }

    return page;
}

static struct page_info *xf_translate(struct xf_reader *r, unsigned long va)
{
    unsigned long vpn = va >> PAGE_SHIFT;
    struct xf_tlb_entry *e = &r->tlb[vpn % XF_TLB_SIZE];
    struct page_info *page;

    if ( e->page && e->vpn == vpn )
        return e->page;

    page = is_hvm_domain(r->d) ? xf_hvm_translate(r, va)
                               : xf_pv_translate(r, va);
    if ( !page )
        return NULL;

    if ( e->page )
        put_page(e->page);
    e->vpn = vpn;
    e->page = page;

    return page;
}

/* The walker's read callback (core/vmi.h): 0, or -1 if any byte fails. */
static int xf_read(void *ctx, uint64_t va, void *buf, uint32_t len)
{
    struct xf_reader *r = ctx;
    uint8_t *out = buf;

    r->reads++;
    while ( len )
    {
        unsigned int off = va & ~PAGE_MASK;
        unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
        struct page_info *page = xf_translate(r, va);
        const uint8_t *p;

        if ( !page )
        {
            r->faults++;
            return -1;
        }

        p = __map_domain_page(page);
        memcpy(out, p + off, n);
        unmap_domain_page(p);

        out += n;
        va += n;
        len -= n;
    }

    return 0;
}

static void xf_reader_init(struct xf_reader *r, struct domain *d)
{
    const struct vcpu *v = d->vcpu[0];

    memset(r, 0, sizeof(*r));
    r->d = d;
    r->root = INVALID_MFN;
    /* A vCPU that was never started has no tables: every read fails. */
    if ( !is_hvm_domain(d) && !pagetable_is_null(v->arch.guest_table) )
        r->root = pagetable_get_mfn(v->arch.guest_table);
}

static void xf_reader_fini(struct xf_reader *r)
{
    unsigned int i;

    for ( i = 0; i < XF_TLB_SIZE; i++ )
        if ( r->tlb[i].page )
            put_page(r->tlb[i].page);
}

/* ---- helpers ----------------------------------------------------------- */

/* dom0 passes its buffers as plain addresses in its own address space. */
static int xf_copy_in(void *dst, uint64_t addr, size_t len)
{
    XEN_GUEST_HANDLE_PARAM(void) h =
        guest_handle_from_ptr((void *)(unsigned long)addr, void);

    return copy_from_guest((uint8_t *)dst, h, len) ? -EFAULT : 0;
}

static int xf_copy_out(uint64_t addr, const void *src, size_t len)
{
    XEN_GUEST_HANDLE_PARAM(void) h =
        guest_handle_from_ptr((void *)(unsigned long)addr, void);

    return copy_to_guest(h, (const uint8_t *)src, len) ? -EFAULT : 0;
}

static bool xf_zero(const void *p, size_t len)
{
    const uint8_t *b = p;

    while ( len-- )
        if ( *b++ )
            return false;

    return true;
}

/*
 * The domain to inspect, with a reference: not the caller itself (it
 * cannot be paused from its own hypercall), not dying, and with vCPU 0.
 * 32-bit PV guests (PAE tables under a Xen-built L4, a 32-bit kernel) are
 * not something the walker's x86_64 profiles describe.
 */
static int xf_get_domain(domid_t domid, struct domain **dp)
{
    struct domain *d = rcu_lock_domain_by_id(domid);

    if ( !d )
        return -ESRCH;
    if ( d == current->domain || d->is_dying || !d->vcpu || !d->vcpu[0] )
    {
        rcu_unlock_domain(d);
        return -ESRCH;
    }
    if ( is_pv_32bit_domain(d) )
    {
        rcu_unlock_domain(d);
        return -EOPNOTSUPP;
    }

    *dp = d;
    return 0;
}

/* Under xf_lock: the slot of d's profile, or NULL. */
static struct xf_dom_profile *xf_profile_find(const struct domain *d)
{
    unsigned int i;

    for ( i = 0; i < ARRAY_SIZE(xf_profiles); i++ )
    {
        struct xf_dom_profile *p = &xf_profiles[i];

        if ( p->prof && p->domid == d->domain_id &&
             !memcmp(p->handle, d->handle, sizeof(p->handle)) )
            return p;
    }

    return NULL;
}

/* Under xf_lock: a used slot whose domain no longer exists (or is dying). */
static bool xf_slot_stale(const struct xf_dom_profile *p)
{
    struct domain *d;
    bool stale;

    if ( !p->prof )
        return false;
    d = rcu_lock_domain_by_id(p->domid);
    if ( !d )
        return true;
    stale = d->is_dying ||
            memcmp(p->handle, d->handle, sizeof(p->handle));
    rcu_unlock_domain(d);

    return stale;
}

static unsigned int xf_hist_index(uint64_t ns)
{
    unsigned int msb;

    if ( ns < XF_HIST_SUB )
        return ns;
    msb = flsl(ns) - 1;                 /* >= 3 */

    return (msb - 2) * XF_HIST_SUB + ((ns >> (msb - 3)) & (XF_HIST_SUB - 1));
}

/* The largest value that falls into bucket i. */
static uint64_t xf_hist_upper(unsigned int i)
{
    unsigned int msb, sub;

    if ( i < XF_HIST_SUB )
        return i;
    msb = i / XF_HIST_SUB + 2;
    sub = i % XF_HIST_SUB;
    if ( msb >= 63 )
        return ~0ULL;

    return ((uint64_t)(XF_HIST_SUB + sub + 1) << (msb - 3)) - 1;
}

/* Under xf_stats_lock. */
static uint64_t xf_hist_percentile(unsigned int pct)
{
    uint64_t want, seen = 0;
    unsigned int i;

    if ( !xf_stats.checks )
        return 0;
    want = (xf_stats.checks * pct + 99) / 100;
    for ( i = 0; i < XF_HIST_BUCKETS; i++ )
    {
        seen += xf_hist[i];
        if ( seen >= want )
            return min(xf_hist_upper(i), xf_stats.check_ns_max);
    }

    return xf_stats.check_ns_max;
}

static void xf_count_rejected(void)
{
    spin_lock(&xf_stats_lock);
    xf_stats.rejected++;
    spin_unlock(&xf_stats_lock);
}

/* ---- sub-ops ----------------------------------------------------------- */

static int xf_op_probe(XEN_GUEST_HANDLE_PARAM(void) arg)
{
    struct xf_hv_probe p = {
        .magic = XF_HV_MAGIC,
        .version = XF_HV_ABI_VERSION,
        .max_batch = XF_HV_BATCH_MAX,
        .max_rules = XF_HV_RULES_MAX,
        .max_doms = XF_HV_DOMS_MAX,
        .max_profiles = XF_HV_PROFILES_MAX,
        .profile_size = sizeof(struct xf_profile),
    };

    read_lock(&xf_lock);
    p.nr_profiles = xf_nr_profiles;
    if ( xf_rules )
    {
        p.generation = xf_rules->t.generation;
        p.n_rules = xf_rules->t.n_rules;
    }
    read_unlock(&xf_lock);

    return copy_to_guest(arg, &p, 1) ? -EFAULT : 0;
}

static int xf_op_counters(XEN_GUEST_HANDLE_PARAM(void) arg)
{
    struct xf_hv_counters c;
    uint32_t flags;

    if ( copy_from_guest(&c, arg, 1) )
        return -EFAULT;
    if ( (c.flags & ~XF_HV_COUNTERS_F_ALL) || c._pad )
        return -EINVAL;
    flags = c.flags;

    spin_lock(&xf_stats_lock);
    c = xf_stats;
    c.flags = flags;
    c.check_ns_p50 = xf_hist_percentile(50);
    c.check_ns_p99 = xf_hist_percentile(99);
    if ( flags & XF_HV_COUNTERS_F_RESET )
    {
        memset(&xf_stats, 0, sizeof(xf_stats));
        memset(xf_hist, 0, sizeof(xf_hist));
    }
    spin_unlock(&xf_stats_lock);

    return copy_to_guest(arg, &c, 1) ? -EFAULT : 0;
}

/* The guest's linux_banner must read as the profile's banner. */
static int xf_banner_check(struct domain *d, const struct xf_profile *prof,
                           uint64_t slide)
{
    struct xf_reader r;
    char *buf;
    int rc = -ENOEXEC;

    buf = xmalloc_bytes(XF_PROFILE_BANNER_LEN);
    if ( !buf )
        return -ENOMEM;

    domain_pause(d);
    xf_reader_init(&r, d);
    if ( !xf_read(&r, prof->sym.linux_banner + slide, buf, prof->banner_len) &&
         !memcmp(buf, prof->banner, prof->banner_len) )
        rc = 0;
    xf_reader_fini(&r);
    domain_unpause(d);

    xfree(buf);
    return rc;
}

static int xf_op_profile(XEN_GUEST_HANDLE_PARAM(void) arg)
{
    struct xf_hv_profile op;
    struct xf_profile *prof = NULL, *old = NULL;
    struct xf_dom_profile *slot;
    struct domain *d;
    struct xf_vmi vmi;
    const char *why = NULL;
    unsigned int i;
    int rc;

    if ( copy_from_guest(&op, arg, 1) )
        return -EFAULT;
    if ( (op.flags & ~XF_HV_PROFILE_F_ALL) || op._pad || op._pad2 )
        return -EINVAL;
    if ( !(op.flags & XF_HV_PROFILE_F_CLEAR) &&
         (op.size != sizeof(*prof) || !op.profile) )
        return -EINVAL;

    rc = xf_get_domain(op.domid, &d);
    if ( rc )
        return rc;

    if ( op.flags & XF_HV_PROFILE_F_CLEAR )
    {
        write_lock(&xf_lock);
        slot = xf_profile_find(d);
        if ( slot )
        {
            old = slot->prof;
            slot->prof = NULL;
            xf_nr_profiles--;
        }
        write_unlock(&xf_lock);
        rc = old ? 0 : -ENOENT;
        goto out;
    }

    rc = -ENOMEM;
    prof = xmalloc(struct xf_profile);
    if ( !prof )
        goto out;
    rc = xf_copy_in(prof, op.profile, sizeof(*prof));
    if ( rc )
        goto out;

    /* xf_vmi_init() checks the header and every member the walker uses. */
    rc = -EINVAL;
    if ( xf_vmi_init(&vmi, prof, xf_read, NULL, op.slide, &why) )
    {
        gprintk(XENLOG_INFO, "xfilter: d%d profile refused: %s\n",
                d->domain_id, why ?: "?");
        goto out;
    }
    if ( !prof->sym.linux_banner || !prof->banner_len ||
         prof->banner_len >= XF_PROFILE_BANNER_LEN ||
         prof->banner[prof->banner_len] != '\0' ||
         !memchr(prof->release, '\0', sizeof(prof->release)) )
        goto out;

    rc = xf_banner_check(d, prof, op.slide);
    if ( rc )
        goto out;

    write_lock(&xf_lock);
    slot = xf_profile_find(d);
    if ( !slot )
    {
        for ( i = 0; i < ARRAY_SIZE(xf_profiles); i++ )
            if ( !xf_profiles[i].prof )
            {
                slot = &xf_profiles[i];
                xf_nr_profiles++;
                break;
            }
    }
    if ( !slot )
    {
        /*
         * Full: take the slot of a domain that is gone. A guest rebooted
         * by xl comes back under a new domid (same UUID) and dom0 loads
         * its profile again, so without this every reboot leaked a slot.
         */
        for ( i = 0; i < ARRAY_SIZE(xf_profiles); i++ )
            if ( xf_slot_stale(&xf_profiles[i]) )
            {
                slot = &xf_profiles[i];
                xfree(slot->prof);
                slot->prof = NULL;
                break;
            }
    }
    if ( slot )
    {
        old = slot->prof;
        slot->prof = prof;
        slot->domid = d->domain_id;
        memcpy(slot->handle, d->handle, sizeof(slot->handle));
        slot->slide = op.slide;
        prof = NULL;
        rc = 0;
    }
    else
        rc = -ENOSPC;
    write_unlock(&xf_lock);

 out:
    rcu_unlock_domain(d);
    xfree(prof);
    xfree(old);
    return rc;
}

static void xf_rule_from_hv(struct xf_rule *r, const struct xf_hv_rule *h)
{
    xf_rule_init(r);
    r->fields = h->fields;
    r->domid = h->domid;
    r->proto = h->proto;
    r->action = h->action;
    r->dst_family = h->dst_family;
    r->dst_plen = h->dst_plen;
    r->dport_lo = h->dport_lo;
    r->dport_hi = h->dport_hi;
    r->sport_lo = h->sport_lo;
    r->sport_hi = h->sport_hi;
    memcpy(r->dst, h->dst, sizeof(r->dst));
    r->uid = h->uid;
    r->euid = h->euid;
    r->gid = h->gid;
    r->pid = h->pid;
    BUILD_BUG_ON(sizeof(r->comm) != sizeof(h->comm));
    BUILD_BUG_ON(sizeof(r->exe) != sizeof(h->exe));
    memcpy(r->comm, h->comm, sizeof(r->comm));
    memcpy(r->exe, h->exe, sizeof(r->exe));
    /*
     * A mirror rule copies packets in dom0; here it only has to keep its
     * place: it matches and decides nothing (no device, slot 0).
     */
    if ( r->action == XF_ACT_MIRROR )
        memcpy(r->mirror_dev, "dom0", sizeof("dom0"));
}

static bool xf_policy_ok(const struct xf_hv_dom_policy *p)
{
    return p->dflt <= XF_ACT_MAX && p->unattributed <= XF_ACT_MAX;
}

static int xf_op_rules(XEN_GUEST_HANDLE_PARAM(void) arg)
{
    struct xf_hv_rules op;
    struct xf_ruleset *rs, *old;
    struct xf_hv_rule *h = NULL;
    struct xf_rule *tmp = NULL;
    unsigned int i, cap;
    int rc;

    if ( copy_from_guest(&op, arg, 1) )
        return -EFAULT;
    if ( op._pad || !op.generation || !xf_policy_ok(&op.fallback) ||
         op.fallback.domid != XF_DOMID_ANY ||
         (op.n_rules && !op.rules) || (op.n_doms && !op.doms) )
        return -EINVAL;
    if ( op.n_rules > XF_HV_RULES_MAX || op.n_doms > XF_HV_DOMS_MAX )
        return -E2BIG;

    cap = op.n_rules ?: 1;
    rs = vzalloc(sizeof(*rs) + cap * sizeof(rs->rules[0]));
    h = xmalloc(struct xf_hv_rule);
    tmp = xmalloc(struct xf_rule);
    rc = -ENOMEM;
    if ( !rs || !h || !tmp )
        goto fail;

    xf_rules_init(&rs->t, rs->rules, cap, rs->doms, ARRAY_SIZE(rs->doms));
    for ( i = 0; i < op.n_rules; i++ )
    {
        rc = xf_copy_in(h, op.rules + (uint64_t)i * sizeof(*h), sizeof(*h));
        if ( rc )
            goto fail;
        rc = -EINVAL;
        if ( h->_pad )
            goto fail;
        xf_rule_from_hv(tmp, h);
        if ( xf_rules_insert(&rs->t, i, tmp) )
            goto fail;
    }
    for ( i = 0; i < op.n_doms; i++ )
    {
        struct xf_hv_dom_policy p;

        rc = xf_copy_in(&p, op.doms + (uint64_t)i * sizeof(p), sizeof(p));
        if ( rc )
            goto fail;
        rc = -EINVAL;
        if ( !xf_policy_ok(&p) || p.domid >= 0x7ff0 /* DOMID_FIRST_RESERVED */ ||
             xf_rules_set_policy(&rs->t, p.domid, p.dflt, p.unattributed) )
            goto fail;
    }
    rc = -EINVAL;
    if ( xf_rules_set_policy(&rs->t, XF_DOMID_ANY, op.fallback.dflt,
                             op.fallback.unattributed) )
        goto fail;
    rs->t.generation = op.generation;

    write_lock(&xf_lock);
    old = xf_rules;
    xf_rules = rs;
    write_unlock(&xf_lock);

    xfree(h);
    xfree(tmp);
    vfree(old);
    return 0;

 fail:
    xfree(h);
    xfree(tmp);
    vfree(rs);
    return rc;
}

static bool xf_flow_ok(const struct xf_hv_flow *f)
{
    if ( f->_pad )
        return false;
    if ( f->family == 4 )
        return xf_zero(f->saddr + 4, 12) && xf_zero(f->daddr + 4, 12);

    return f->family == 6;
}

/*
 * Who owns flow f: 0 and *o filled, or an XF_VMI_E* code. The owner is
 * read from the socket itself (credentials, cgroup); the task holding it
 * only when need (the rule fields of this domain's rules) asks for it.
 */
static int xf_attribute(struct xf_vmi *vmi, const struct xf_hv_flow *f,
                        uint32_t need, struct xf_owner *o, uint64_t *task,
                        int32_t *fd)
{
    struct xf_vmi_tuple t = {
        .family = f->family,
        .proto = f->proto,
        .lport = f->sport,
        .rport = f->dport,
    };
    struct xf_vmi_sock s;
    struct xf_vmi_proc p;
    int rc;

    if ( f->proto != 6 && f->proto != 17 )
        return XF_VMI_ENOENT;
    memcpy(t.laddr, f->saddr, sizeof(t.laddr));
    memcpy(t.raddr, f->daddr, sizeof(t.raddr));

    rc = xf_vmi_sock_lookup(vmi, &t, &s);
    if ( rc )
        return rc;
    if ( !s.file )
        return XF_VMI_ENOENT;
    rc = xf_vmi_owner(vmi, &s, need, 0, -1, &p, fd);
    if ( rc )
        return rc;

    *o = p.owner;
    *task = p.task;
    return 0;
}

/*
 * The owner fields the rules that can apply to domid use: the task is
 * searched for only if one of them is pid, comm or exe.
 */
static uint32_t xf_rules_need(const struct xf_ruleset *rs, domid_t domid)
{
    uint32_t i, need = 0;

    if ( !rs )
        return 0;
    for ( i = 0; i < rs->t.n_rules; i++ )
    {
        const struct xf_rule *r = &rs->t.rules[i];

        if ( (r->fields & XF_RF_DOMID) && r->domid != domid )
            continue;
        need |= r->fields & XF_RF_OWNER;
    }
    return need;
}

static void xf_owner_to_hv(struct xf_hv_owner *h, const struct xf_owner *o)
{
    h->flags = o->flags;
    h->pid = o->pid;
    h->tgid = o->tgid;
    h->ppid = o->ppid;
    h->uid = o->uid;
    h->gid = o->gid;
    h->euid = o->euid;
    h->egid = o->egid;
    memcpy(h->comm, o->comm, sizeof(h->comm));
    h->comm[sizeof(h->comm) - 1] = '\0';
}

static void xf_key_from_flow(struct xf_flow_key *k, const struct xf_hv_flow *f,
                             domid_t domid)
{
    memset(k, 0, sizeof(*k));
    memcpy(k->saddr, f->saddr, sizeof(k->saddr));
    memcpy(k->daddr, f->daddr, sizeof(k->daddr));
    k->sport = f->sport;
    k->dport = f->dport;
    k->domid = domid;
    k->family = f->family;
    k->proto = f->proto;
}

/* Per-call state of XF_HV_CHECK, too big for Xen's stack. */
struct xf_check_ctx {
    struct xf_reader r;
    struct xf_vmi vmi;
    struct xf_owner owner;
    struct xf_hv_flow flows[XF_HV_BATCH_MAX];
    struct xf_hv_result res[XF_HV_BATCH_MAX];
};

static int xf_op_check(XEN_GUEST_HANDLE_PARAM(void) arg)
{
    static const struct xf_owner nobody;        /* flags 0: not found */
    struct xf_hv_check op;
    struct xf_check_ctx *c;
    struct xf_dom_profile *dp;
    struct domain *d;
    uint64_t budget = XF_READS_PER_CALL, retries = 0, found = 0;
    uint32_t need;
    s_time_t t_call, t_pause, t0;
    unsigned int i;
    int rc;

    if ( copy_from_guest(&op, arg, 1) )
        return -EFAULT;
    if ( op._pad || (op.flags & ~XF_HV_CHECK_F_ALL) || op.done ||
         !op.flows || !op.results || !op.n )
        return -EINVAL;
    if ( op.n > XF_HV_BATCH_MAX )
        return -E2BIG;

    c = xzalloc(struct xf_check_ctx);
    if ( !c )
        return -ENOMEM;
    rc = xf_copy_in(c->flows, op.flows, op.n * sizeof(c->flows[0]));
    if ( rc )
        goto out_free;
    rc = -EINVAL;
    for ( i = 0; i < op.n; i++ )
        if ( !xf_flow_ok(&c->flows[i]) )
            goto out_free;

    rc = xf_get_domain(op.domid, &d);
    if ( rc )
        goto out_free;

    t_call = NOW();
    read_lock(&xf_lock);
    dp = xf_profile_find(d);
    rc = -ENOENT;
    if ( !dp )
        goto out_unlock;
    rc = -EINVAL;
    if ( xf_vmi_init(&c->vmi, dp->prof, xf_read, &c->r, dp->slide, NULL) )
        goto out_unlock;

    need = xf_rules_need(xf_rules, d->domain_id);
    if ( op.flags & XF_HV_CHECK_F_TASK )
        need |= XF_RF_TASK;
    domain_pause(d);
    t_pause = NOW() - t_call;
    xf_reader_init(&c->r, d);

    for ( i = 0; i < op.n; i++ )
    {
        const struct xf_hv_flow *f = &c->flows[i];
        struct xf_hv_result *res = &c->res[i];
        struct xf_flow_key key;
        struct xf_verdict v;
        const struct xf_owner *o = &nobody;
        unsigned int try;
        int st = XF_VMI_EBUDGET;

        t0 = NOW();
        res->fd = -1;
        for ( try = 0; try <= XF_RETRIES; try++ )
        {
            uint64_t before = c->vmi.reads;

            /*
             * Every flow gets at least XF_READS_FLOOR, whatever the flows
             * before it in the batch spent: enough for the socket and its
             * credentials, so other users' flows cannot leave this one
             * unattributed (only without a task).
             */
            c->vmi.lim.max_reads = max_t(uint64_t, XF_READS_FLOOR,
                                         min_t(uint64_t, budget,
                                               XF_READS_PER_FLOW));
            st = xf_attribute(&c->vmi, f, need, &c->owner, &res->task,
                              &res->fd);
            budget -= min(budget, c->vmi.reads - before);
            if ( st != XF_VMI_EAGAIN )
                break;

            /* Paused with tasklist_lock held for writing: let it run. */
            retries++;
            xf_reader_fini(&c->r);
            domain_unpause(d);
            domain_pause(d);
            xf_reader_init(&c->r, d);
        }
        if ( !st && (c->owner.flags & XF_OWNER_F_FOUND) )
        {
            o = &c->owner;
            found++;
        }
        else if ( !st )
            st = XF_VMI_ENOENT;

        xf_key_from_flow(&key, f, d->domain_id);
        if ( xf_rules )
            xf_rules_match(&xf_rules->t, &key, o, &v);
        else
        {
            /* No table loaded yet: accept, and say so. */
            memset(&v, 0, sizeof(v));
            v.action = XF_ACT_ACCEPT;
            v.source = XF_SRC_DEFAULT;
            v.rule = XF_RULE_NONE;
        }

        res->action = v.action;
        res->source = v.source;
        res->rule = v.rule;
        res->status = st;
        res->generation = v.generation;
        if ( o != &nobody )
            xf_owner_to_hv(&res->owner, o);
        else
            res->task = 0;
        res->check_ns = min_t(s_time_t, NOW() - t0, UINT32_MAX);
    }

    xf_reader_fini(&c->r);
    domain_unpause(d);
    rc = 0;

 out_unlock:
    read_unlock(&xf_lock);
    rcu_unlock_domain(d);
    if ( rc )
        goto out_free;

    t_call = NOW() - t_call;
    spin_lock(&xf_stats_lock);
    xf_stats.calls++;
    xf_stats.checks += op.n;
    xf_stats.found += found;
    xf_stats.unattributed += op.n - found;
    xf_stats.retries += retries;
    xf_stats.reads += c->r.reads;
    xf_stats.read_faults += c->r.faults;
    xf_stats.call_ns_total += t_call;
    xf_stats.call_ns_max = max_t(uint64_t, xf_stats.call_ns_max, t_call);
    xf_stats.pause_ns_total += t_pause;
    xf_stats.pause_ns_max = max_t(uint64_t, xf_stats.pause_ns_max, t_pause);
    for ( i = 0; i < op.n; i++ )
    {
        uint64_t ns = c->res[i].check_ns;

        xf_stats.check_ns_total += ns;
        xf_stats.check_ns_max = max(xf_stats.check_ns_max, ns);
        xf_hist[xf_hist_index(ns)]++;
    }
    spin_unlock(&xf_stats_lock);

    rc = xf_copy_out(op.results, c->res, op.n * sizeof(c->res[0]));
    if ( !rc )
    {
        op.done = op.n;
        if ( copy_to_guest(arg, &op, 1) )
            rc = -EFAULT;
    }

 out_free:
    xfree(c);
    return rc;
}

long do_xfilter_op(unsigned int cmd, XEN_GUEST_HANDLE_PARAM(void) arg)
{
    long rc;

    if ( !is_control_domain(current->domain) )
        return -EPERM;

    switch ( cmd )
    {
    case XF_HV_PROBE:
        rc = xf_op_probe(arg);
        break;
    case XF_HV_COUNTERS:
        rc = xf_op_counters(arg);
        break;
    case XF_HV_PROFILE:
        rc = xf_op_profile(arg);
        break;
    case XF_HV_RULES:
        rc = xf_op_rules(arg);
        break;
    case XF_HV_CHECK:
        rc = xf_op_check(arg);
        break;
    default:
        return -EOPNOTSUPP;
    }

    if ( rc && cmd != XF_HV_PROBE && cmd != XF_HV_COUNTERS )
        xf_count_rejected();

    return rc;
}

/*
 * Local variables:
 * mode: C
 * c-file-style: "BSD"
 * c-basic-offset: 4
 * indent-tabs-mode: nil
 * End:
 */
