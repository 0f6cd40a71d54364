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
 * arguments are still checked field by field; the domain inspected is a
 * live guest that XSM lets dom0 read (xf_get_domain()). That guest is
 * hostile and controls every byte the walker reads: the reader translates
 * guest virtual addresses itself (PV: the guest's validated tables; HVM:
 * its own walk through the p2m, no vCPU state touched), holds a reference
 * on every frame it reads, page tables included, refuses any frame the
 * guest does not own (Xen's, grant mappings, MMIO) without logging, and
 * each flow's walk is bounded in reads.
 *
 * Preemption: XF_HV_CHECK checks hypercall_preempt_check() between two
 * flows and continues as a hypercall continuation from op.done, so no call
 * holds a pCPU for more than one flow's walk, whatever the guest does.
 *
 * Consistency: the guest is paused (domain_pause()) while its memory is
 * read, so a walk sees one coherent snapshot of its kernel. A snapshot
 * taken while the guest held tasklist_lock for writing is detected by the
 * walker (XF_VMI_EAGAIN); the guest is then let run briefly and the flow
 * retried, at most XF_RETRIES times, before it is reported unattributed.
 *
 * Locking: xf_lock (rwlock) protects the profiles and the rule table;
 * checks hold it for reading only to copy their guest's profile and to
 * match rules, never while the guest is paused, so dom0 vCPUs check
 * different guests in parallel and a profile load never waits on a walk.
 * xf_stats_lock protects the counters.
 */

#include <xen/errno.h>
#include <xen/event.h>
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

#include <xsm/xsm.h>

#include <asm/p2m.h>
#include <asm/paging.h>

#include <xfilter/hypercall.h>
#include <xfilter/profile.h>

#include "rule.h"
#include "vmi.h"

/*
 * Guest reads per walker call (socket lookup, owner search) of one flow:
 * the most work done between two preemption checks.
 */
#define XF_READS_PER_FLOW   (1u << 15)
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
    uint64_t hvm_root;              /* HVM: CR3's table address, 0: none */
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

/*
 * A reference to the RAM page at mfn if d owns it, or NULL. Never logs:
 * get_page() prints a line per refusal, and a guest can make a walk refuse
 * frames by the hundred thousand (grant mappings, MMIO, Xen's own tables
 * reached through a linear page-table entry).
 */
static struct page_info *xf_get_guest_page(struct domain *d, mfn_t mfn)
{
    struct page_info *page;
    struct domain *owner;

    if ( !mfn_valid(mfn) )
        return NULL;
    page = mfn_to_page(mfn);
    owner = page_get_owner_and_reference(page);
    if ( likely(owner == d) )
        return page;
    if ( owner )
        put_page(page);

    return NULL;
}

/*
 * Entry idx of the page table in frame mfn, read under a reference so a
 * concurrent domain_kill() cannot free and reuse the frame meanwhile; 0
 * (not present) if d does not own the frame.
 */
static intpte_t xf_pte_read(struct domain *d, mfn_t mfn, unsigned int idx)
{
    struct page_info *page = xf_get_guest_page(d, mfn);
    const intpte_t *t;
    intpte_t e;

    if ( !page )
        return 0;
    t = __map_domain_page(page);
    e = read_atomic(&t[idx]);
    unmap_domain_page(t);
    put_page(page);

    return e;
}

#define XF_PTE_ADDR     0x000ffffffffff000ULL   /* bits 51:12 */

/*
 * A reference to the guest-owned RAM page that maps va, or NULL. PV: the
 * tables are the guest's own (validated by Xen, no superpages); each is
 * read under a reference, and a frame d does not own ends the walk, so a
 * linear entry cannot lead into Xen's tables.
 */
static struct page_info *xf_pv_translate(const struct xf_reader *r,
                                         unsigned long va)
{
    static const unsigned int shift[] = {
        L4_PAGETABLE_SHIFT, L3_PAGETABLE_SHIFT,
        L2_PAGETABLE_SHIFT, L1_PAGETABLE_SHIFT,
    };
    mfn_t mfn = r->root;
    unsigned int lvl;

    /* Xen's own slots are mapped in every PV L4: never read through them. */
    if ( mfn_eq(mfn, INVALID_MFN) || !is_canonical_address(va) ||
         (va >= HYPERVISOR_VIRT_START && va < HYPERVISOR_VIRT_END) )
        return NULL;

    for ( lvl = 0; lvl < ARRAY_SIZE(shift); lvl++ )
    {
        intpte_t e = xf_pte_read(r->d, mfn,
                                 (va >> shift[lvl]) & (L1_PAGETABLE_ENTRIES - 1));

        if ( !(e & _PAGE_PRESENT) || (lvl < 3 && (e & _PAGE_PSE)) )
            return NULL;
        mfn = _mfn((e & XF_PTE_ADDR) >> PAGE_SHIFT);
    }

    return xf_get_guest_page(r->d, mfn);
}

/*
 * A reference to the guest RAM page at gfn, or NULL. A query only (no
 * populate-on-demand, unsharing or paging in), under the p2m lock so the
 * entry cannot change before the reference is taken. Not through
 * get_page_from_gfn(): it get_page()s grant-mapped frames, which another
 * domain owns, and logs a line per refusal; a guest could point its page
 * tables at its grant mappings to flood the console. Paged-out, shared
 * (dom_cow) and foreign frames fail xf_get_guest_page() silently.
 */
static struct page_info *xf_hvm_gfn_page(struct domain *d, unsigned long gfn)
{
    struct page_info *page = NULL;
    p2m_type_t t;
    mfn_t mfn;

    mfn = get_gfn_query(d, gfn, &t);
    if ( p2m_is_ram(t) )
        page = xf_get_guest_page(d, mfn);
    put_gfn(d, gfn);

    return page;
}

/*
 * HVM/PVH: our own walk of the guest's 4-level tables (long mode), read
 * through the p2m. Unlike paging_gva_to_gfn() it touches no vCPU state
 * (no emulation cache), sets no accessed/dirty bits and populates nothing.
 * 1 GiB and 2 MiB pages are followed (Linux maps its direct map with
 * them). Exercised by tests/kselftest/62-pvh-guest.sh (a PVH guest).
 */
static struct page_info *xf_hvm_walk(const struct xf_reader *r,
                                     unsigned long va, uint64_t root)
{
    static const unsigned int shift[] = {
        L4_PAGETABLE_SHIFT, L3_PAGETABLE_SHIFT,
        L2_PAGETABLE_SHIFT, L1_PAGETABLE_SHIFT,
    };
    unsigned long gfn = root >> PAGE_SHIFT;
    unsigned int lvl;

    for ( lvl = 0; lvl < ARRAY_SIZE(shift); lvl++ )
    {
        struct page_info *page = xf_hvm_gfn_page(r->d, gfn);
        const intpte_t *t;
        intpte_t e;

        if ( !page )
            return NULL;
        t = __map_domain_page(page);
        e = read_atomic(&t[(va >> shift[lvl]) & (L1_PAGETABLE_ENTRIES - 1)]);
        unmap_domain_page(t);
        put_page(page);

        if ( !(e & _PAGE_PRESENT) )
            return NULL;
        gfn = (e & XF_PTE_ADDR) >> PAGE_SHIFT;
        if ( (lvl == 1 || lvl == 2) && (e & _PAGE_PSE) )
        {
            /* Superpage: the frame within it (PAT bit 12 is not address). */
            unsigned long span = 1UL << (shift[lvl] - PAGE_SHIFT);

            gfn = (gfn & ~(span - 1)) + ((va >> PAGE_SHIFT) & (span - 1));
            break;
        }
        if ( lvl == 0 && (e & _PAGE_PSE) )
            return NULL;            /* reserved at L4 */
    }

    return xf_hvm_gfn_page(r->d, gfn);
}

static struct page_info *xf_hvm_translate(const struct xf_reader *r,
                                          unsigned long va)
{
    if ( !r->hvm_root || !is_canonical_address(va) )
        return NULL;

    return xf_hvm_walk(r, va, r->hvm_root);
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

/*
 * kva: a kernel data address (init_task) that only the kernel's PGD maps.
 * With KPTI, vCPU 0 may have been paused in user mode, on its user PGD,
 * which maps little of the kernel; Linux keeps the kernel's PGD in the
 * 4 KiB page below it (PTI_USER_PGTABLE_BIT is bit 12). The root is chosen
 * once, by which of the two maps kva, as userland's mem_kaslr.c does: not
 * per read, which would walk the user PGD in vain on every miss, and, for
 * a guest without KPTI whose PGD merely has bit 12 set, read another page
 * as a PGD whenever a read fails.
 */
static void xf_reader_init(struct xf_reader *r, struct domain *d,
                           uint64_t kva)
{
    const struct vcpu *v = d->vcpu[0];
    struct page_info *page;
    uint64_t root;

    memset(r, 0, sizeof(*r));
    r->d = d;
    r->root = INVALID_MFN;
    if ( is_hvm_domain(d) )
    {
        /*
         * Paused: guest_cr[] was synced from the VMCS/VMCB at the last
         * exit. Only 4-level long mode is described by our profiles.
         */
        if ( !hvm_long_mode_active(v) ||
             (v->arch.hvm.guest_cr[4] & X86_CR4_LA57) )
            return;
        root = v->arch.hvm.guest_cr[3] & XF_PTE_ADDR;
        r->hvm_root = root;
        if ( !(root & (1UL << PAGE_SHIFT)) || !is_canonical_address(kva) )
            return;
        page = xf_hvm_walk(r, kva, root);
        if ( !page )
        {
            page = xf_hvm_walk(r, kva, root & ~(1UL << PAGE_SHIFT));
            if ( page )
                r->hvm_root = root & ~(1UL << PAGE_SHIFT);
        }
        if ( page )
            put_page(page);
        return;
    }
    /* A vCPU that was never started has no tables: every read fails. */
    if ( !pagetable_is_null(v->arch.guest_table) )
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
 * The domain to inspect, with a reference: a live domain other than the
 * caller (rcu_lock_live_remote_domain_by_id()), with vCPU 0. Never a
 * system, control, hardware or xenstore domain, nor a device-model stub
 * domain: pausing one of those from a packet path could stall the host.
 * XSM decides the rest with the hook that guards reading a domain's memory
 * from dom0 (what xfilterd does through privcmd in the safe mode):
 * map_gmfn_foreign, which the dummy policy grants to a privileged caller,
 * FLASK grants per "mmu { map_read }" rule and SILO leaves to dummy.
 * 32-bit PV guests (PAE tables under a Xen-built L4, a 32-bit kernel) are
 * not something the walker's x86_64 profiles describe.
 */
static int xf_get_domain(domid_t domid, struct domain **dp)
{
    struct domain *d;
    int rc = rcu_lock_live_remote_domain_by_id(domid, &d);

    if ( rc )
        return -ESRCH;              /* none, ours, or dying */
    rc = -EPERM;
    if ( is_system_domain(d) || is_control_domain(d) ||
         is_hardware_domain(d) || is_xenstore_domain(d) || d->target )
        goto fail;
    rc = xsm_map_gmfn_foreign(XSM_TARGET, current->domain, d);
    if ( rc )
        goto fail;
    rc = -ESRCH;
    if ( !d->vcpu || !d->vcpu[0] )
        goto fail;
    rc = -EOPNOTSUPP;
    if ( is_pv_32bit_domain(d) )
        goto fail;

    *dp = d;
    return 0;

 fail:
    rcu_unlock_domain(d);
    return rc;
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
    xf_reader_init(&r, d, prof->sym.init_task + slide);
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
    struct xf_profile prof;         /* a copy: xf_lock is not held paused */
    struct xf_owner owner[XF_HV_BATCH_MAX];
    struct xf_hv_flow flows[XF_HV_BATCH_MAX];
    struct xf_hv_result res[XF_HV_BATCH_MAX];
};

/*
 * Attribute flows [from, n) of c with d paused, each with its own read
 * budget (one user's flows cannot spend another's), stopping early when
 * Xen wants the pCPU back: returns the index of the first flow not done.
 * The work between two preemption checks is one flow, at most
 * XF_READS_PER_FLOW guest reads.
 */
static unsigned int xf_check_flows(struct xf_check_ctx *c, struct domain *d,
                                   uint32_t need, unsigned int from,
                                   unsigned int n,
                                   uint64_t *found, uint64_t *retries)
{
    unsigned int i;

    for ( i = from; i < n; i++ )
    {
        struct xf_hv_result *res = &c->res[i];
        struct xf_owner *o = &c->owner[i];
        s_time_t t0 = NOW();
        unsigned int try;
        int st = XF_VMI_EBUDGET;

        if ( i > from && hypercall_preempt_check() )
            break;

        res->fd = -1;
        for ( try = 0; try <= XF_RETRIES; try++ )
        {
            st = xf_attribute(&c->vmi, &c->flows[i], need, o, &res->task,
                              &res->fd);
            if ( st != XF_VMI_EAGAIN )
                break;

            /* Paused with tasklist_lock held for writing: let it run. */
            (*retries)++;
            xf_reader_fini(&c->r);
            domain_unpause(d);
            domain_pause(d);
            xf_reader_init(&c->r, d, c->prof.sym.init_task + c->vmi.slide);
        }
        if ( !st && (o->flags & XF_OWNER_F_FOUND) )
            (*found)++;
        else
        {
            memset(o, 0, sizeof(*o));   /* flags 0: not found */
            res->task = 0;
            if ( !st )
                st = XF_VMI_ENOENT;
        }
        res->status = st;
        res->check_ns = min_t(s_time_t, NOW() - t0, UINT32_MAX);
    }

    return i;
}

/* The verdicts of flows [from, to), under xf_lock, the guest running. */
static void xf_check_verdicts(struct xf_check_ctx *c, domid_t domid,
                              unsigned int from, unsigned int to)
{
    unsigned int i;

    for ( i = from; i < to; i++ )
    {
        struct xf_hv_result *res = &c->res[i];
        const struct xf_owner *o = &c->owner[i];
        struct xf_flow_key key;
        struct xf_verdict v;

        xf_key_from_flow(&key, &c->flows[i], domid);
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
        res->generation = v.generation;
        if ( o->flags & XF_OWNER_F_FOUND )
            xf_owner_to_hv(&res->owner, o);
    }
}

/*
 * XF_HV_CHECK. Preemptible: when Xen needs the pCPU back between two
 * flows, the results so far are written, op.done records how far the
 * batch got and the call continues as a hypercall continuation from there
 * (dom0 sees one call that returns with done == n). The guest is paused
 * only while its memory is read, and xf_lock is never held meanwhile.
 */
static int xf_op_check(unsigned int cmd, XEN_GUEST_HANDLE_PARAM(void) arg)
{
    struct xf_hv_check op;
    struct xf_check_ctx *c;
    struct xf_dom_profile *dp;
    struct domain *d;
    uint64_t retries = 0, found = 0, slide = 0;
    s_time_t t_call, t_pause;
    unsigned int i, end;
    uint32_t need = 0;
    int rc;

    if ( copy_from_guest(&op, arg, 1) )
        return -EFAULT;
    /* done is 0 from dom0, and where to resume in a continuation. */
    if ( op._pad || (op.flags & ~XF_HV_CHECK_F_ALL) ||
         !op.flows || !op.results || !op.n || op.done >= op.n )
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
    for ( i = op.done; i < op.n; i++ )
        if ( !xf_flow_ok(&c->flows[i]) )
            goto out_free;

    rc = xf_get_domain(op.domid, &d);
    if ( rc )
        goto out_free;

    t_call = NOW();
    read_lock(&xf_lock);
    dp = xf_profile_find(d);
    if ( dp )
    {
        c->prof = *dp->prof;
        slide = dp->slide;
        /* The task is looked for only when a rule can use it. */
        need = xf_rules_need(xf_rules, d->domain_id);
    }
    read_unlock(&xf_lock);
    if ( op.flags & XF_HV_CHECK_F_TASK )
        need |= XF_RF_TASK;
    rc = -ENOENT;
    if ( dp )
    {
        rc = -EINVAL;
        if ( !xf_vmi_init(&c->vmi, &c->prof, xf_read, &c->r, slide, NULL) )
            rc = 0;
    }
    if ( rc )
    {
        rcu_unlock_domain(d);
        goto out_free;
    }
    c->vmi.lim.max_reads = XF_READS_PER_FLOW;

    domain_pause(d);
    t_pause = NOW() - t_call;
    xf_reader_init(&c->r, d, c->prof.sym.init_task + slide);
    end = xf_check_flows(c, d, need, op.done, op.n, &found, &retries);
    xf_reader_fini(&c->r);
    domain_unpause(d);

    read_lock(&xf_lock);
    xf_check_verdicts(c, d->domain_id, op.done, end);
    read_unlock(&xf_lock);
    rcu_unlock_domain(d);

    t_call = NOW() - t_call;
    spin_lock(&xf_stats_lock);
    xf_stats.calls++;
    if ( end < op.n )
        xf_stats.preempted++;
    xf_stats.checks += end - op.done;
    xf_stats.found += found;
    xf_stats.unattributed += end - op.done - found;
    xf_stats.retries += retries;
    xf_stats.reads += c->r.reads;
    xf_stats.read_faults += c->r.faults;
    xf_stats.call_ns_total += t_call;
    xf_stats.call_ns_max = max_t(uint64_t, xf_stats.call_ns_max, t_call);
    xf_stats.pause_ns_total += t_pause;
    xf_stats.pause_ns_max = max_t(uint64_t, xf_stats.pause_ns_max, t_pause);
    for ( i = op.done; i < end; i++ )
    {
        uint64_t ns = c->res[i].check_ns;

        xf_stats.check_ns_total += ns;
        xf_stats.check_ns_max = max(xf_stats.check_ns_max, ns);
        xf_hist[xf_hist_index(ns)]++;
    }
    spin_unlock(&xf_stats_lock);

    rc = xf_copy_out(op.results + (uint64_t)op.done * sizeof(c->res[0]),
                     c->res + op.done, (end - op.done) * sizeof(c->res[0]));
    if ( !rc )
    {
        op.done = end;
        if ( copy_to_guest(arg, &op, 1) )
            rc = -EFAULT;
    }
    if ( !rc && end < op.n )
        rc = hypercall_create_continuation(__HYPERVISOR_xfilter_op, "ih",
                                           cmd, arg);

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
        rc = xf_op_check(cmd, arg);
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
