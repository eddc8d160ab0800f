/*
 * gen_fold_table.c - writes src/text/fold_table.c, the per-code-point table
 * of the match form (see docs/text.md), from utf8proc's Unicode data:
 * compatibility decomposition with case folding taken to its fixed point,
 * then chorus's own folds (invisibles, Arabic letter families, digits...).
 * The library reads the generated table and never links utf8proc.
 * Usage: gen_fold_table > src/text/fold_table.c
 */
#include "text/fold_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NCP 0x110000u
#define MAXSEQ 64
#define POOL_MAX (1u << 17)
#define PAIRS_MAX 4096

static uint32_t entry[NCP];
static uint32_t pool[POOL_MAX];
static uint32_t npool;
static uint64_t pairs[PAIRS_MAX];
static size_t npairs;

static int in(uint32_t c, uint32_t lo, uint32_t hi) { return c >= lo && c <= hi; }

/* chorus's own fold of one code point of the decomposed form: -1 keeps it,
 * 0 deletes it, 1 replaces it with *to. */
static int custom(uint32_t c, uint32_t *to)
{
    static const uint32_t del[] = {0x00AD, 0x061C, 0x0640, 0x034F, 0x180E, 0xFEFF, 0xFE0E, 0xFE0F};
    for (size_t i = 0; i < sizeof del / sizeof del[0]; i++)
        if (c == del[i])
            return 0;
    if (in(c, 0x200B, 0x200F) || in(c, 0x202A, 0x202E) || in(c, 0x2060, 0x2064) ||
        in(c, 0x2066, 0x2069) || in(c, 0x064B, 0x065F) || c == 0x0670 || in(c, 0x0610, 0x061A) ||
        in(c, 0x06D6, 0x06ED))
        return 0;
    static const uint32_t map[][2] = {
        {0x064A, 0x06CC}, {0x0649, 0x06CC}, {0x06D0, 0x06CC}, {0x06CD, 0x06CC}, {0x06CE, 0x06CC},
        {0x0626, 0x06CC}, {0x0643, 0x06A9}, {0x06AA, 0x06A9}, {0x06AB, 0x06A9}, {0x0629, 0x0647},
        {0x06C0, 0x0647}, {0x06C1, 0x0647}, {0x06BE, 0x0647}, {0x06D5, 0x0647}, {0x0623, 0x0627},
        {0x0625, 0x0627}, {0x0622, 0x0627}, {0x0671, 0x0627}, {0x0672, 0x0627}, {0x0673, 0x0627},
        {0x0624, 0x0648}, {0x060C, ','},    {0x061B, ';'},    {0x061F, '?'},    {0x066A, '%'},
        {0x066B, '.'},    {0x066C, ','},    {0x06D4, '.'},    {0x2018, '\''},   {0x2019, '\''},
        {0x201A, '\''},   {0x201B, '\''},   {0x2039, '\''},   {0x203A, '\''},   {0x201C, '"'},
        {0x201D, '"'},    {0x201E, '"'},    {0x201F, '"'},    {0x00AB, '"'},    {0x00BB, '"'},
        {0x301D, '"'},    {0x301E, '"'},    {0x301F, '"'},    {0x0085, ' '},    {0x1680, ' '},
        {0x2028, ' '},    {0x2029, ' '},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (c == map[i][0]) {
            *to = map[i][1];
            return 1;
        }
    if (in(c, 0x06F0, 0x06F9) || in(c, 0x0660, 0x0669)) {
        *to = '0' + (c & 0xF);
        return 1;
    }
    if (c < 0x20 || in(c, 0x7F, 0x9F)) { /* controls, tab and newlines: whitespace */
        *to = ' ';
        return 1;
    }
    return -1;
}

/* Compatibility decomposition with case folding (utf8proc), reordered. */
static int decompose(const uint32_t *s, int n, uint32_t *out, utf8proc_option_t opt)
{
    uint8_t u[MAXSEQ * 4];
    utf8proc_ssize_t k = 0;
    for (int i = 0; i < n; i++)
        k += utf8proc_encode_char((utf8proc_int32_t)s[i], u + k);
    utf8proc_ssize_t r = utf8proc_decompose(u, k, (utf8proc_int32_t *)out, MAXSEQ, opt);
    if (r < 0 || r > MAXSEQ) {
        fprintf(stderr, "gen_fold_table: utf8proc_decompose failed\n");
        exit(1);
    }
    return (int)r;
}

/* The fixed point of NFKD + case fold, then chorus's folds. */
/* NFC of s (utf8proc_map), as code points. */
static int compose(const uint32_t *s, int n, uint32_t *out)
{
    uint8_t u[MAXSEQ * 4], *r = NULL;
    utf8proc_ssize_t k = 0;
    for (int i = 0; i < n; i++)
        k += utf8proc_encode_char((utf8proc_int32_t)s[i], u + k);
    utf8proc_ssize_t m = utf8proc_map(u, k, &r, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (m < 0) {
        fprintf(stderr, "gen_fold_table: utf8proc_map failed\n");
        exit(1);
    }
    int n_out = 0;
    for (utf8proc_ssize_t i = 0; i < m && n_out < MAXSEQ;) {
        utf8proc_int32_t c;
        i += utf8proc_iterate(r + i, m - i, &c);
        out[n_out++] = (uint32_t)c;
    }
    free(r);
    return n_out;
}

static int expand(uint32_t cp, uint32_t *out)
{
    uint32_t a[MAXSEQ], b[MAXSEQ];
    int n = 1, rounds = 0;
    a[0] = cp;
    for (;;) {
        int m = decompose(a, n, b, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                       UTF8PROC_CASEFOLD);
        int same = m == n && !memcmp(a, b, (size_t)n * sizeof *a);
        memcpy(a, b, (size_t)m * sizeof *a);
        n = m;
        if (same)
            break;
        if (++rounds > 8) {
            fprintf(stderr, "gen_fold_table: U+%04X does not settle\n", cp);
            exit(1);
        }
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint32_t to;
        int r = custom(a[i], &to);
        if (r < 0)
            out[k++] = a[i];
        else if (r == 1)
            out[k++] = to;
    }
    return k;
}

static uint32_t flags_of(uint32_t cp)
{
    const utf8proc_property_t *p = utf8proc_get_property((utf8proc_int32_t)cp);
    uint32_t f = p->combining_class;
    switch (p->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT: f |= CH_FOLD_UPPER | CH_FOLD_LETTER; break;
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: f |= CH_FOLD_LETTER; break;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME: f |= CH_FOLD_MARK; break;
    case UTF8PROC_CATEGORY_ND: f |= CH_FOLD_DIGIT; break;
    default: break;
    }
    return f;
}

/* Index of seq in the pool (length first), adding it if new. */
static uint32_t pool_add(const uint32_t *s, int n)
{
    for (uint32_t i = 0; i < npool; i += pool[i] + 1)
        if (pool[i] == (uint32_t)n && !memcmp(pool + i + 1, s, (size_t)n * sizeof *s))
            return i;
    if (npool + (uint32_t)n + 1 > POOL_MAX) {
        fprintf(stderr, "gen_fold_table: pool full\n");
        exit(1);
    }
    uint32_t at = npool;
    pool[npool++] = (uint32_t)n;
    memcpy(pool + npool, s, (size_t)n * sizeof *s);
    npool += (uint32_t)n;
    return at;
}

static int is_hangul_syllable(uint32_t cp) { return in(cp, 0xAC00, 0xD7A3); }

static void build_entries(void)
{
    for (uint32_t cp = 0; cp < NCP; cp++) {
        uint32_t e = flags_of(cp), seq[MAXSEQ];
        if (in(cp, 0xD800, 0xDFFF) || is_hangul_syllable(cp)) {
            entry[cp] = e; /* never decoded / recomposed at run time */
            continue;
        }
        int n = expand(cp, seq);
        if (n == 1 && seq[0] == cp)
            e &= ~CH_FOLD_UPPER; /* stays upper in the match form (Cherokee folds to
                                    upper case): a split there would split again */
        if (n == 0)
            e |= CH_FOLD_DELETE;
        else if (n != 1 || seq[0] != cp)
            e |= CH_FOLD_MAP | pool_add(seq, n) << CH_FOLD_POOL_SHIFT;
        entry[cp] = e;
    }
}

/* The run-time expansion of cp: its table sequence, or itself. */
static int table_expand(uint32_t cp, uint32_t *out)
{
    uint32_t e = entry[cp];
    if (e & CH_FOLD_DELETE)
        return 0;
    if (!(e & CH_FOLD_MAP)) {
        out[0] = cp;
        return 1;
    }
    uint32_t at = e >> CH_FOLD_POOL_SHIFT, n = pool[at];
    memcpy(out, pool + at + 1, n * sizeof *out);
    return (int)n;
}

/* Canonical composition pairs (first, second) -> composite, kept only when
 * re-expanding the composite gives the pair back (so the match form is a
 * fixed point) and the second can occur in expanded text. */
static void build_pairs(void)
{
    for (uint32_t cp = 0; cp < NCP; cp++) {
        if (in(cp, 0xD800, 0xDFFF) || is_hangul_syllable(cp))
            continue;
        uint32_t d[MAXSEQ], first[MAXSEQ], back[MAXSEQ], want[MAXSEQ];
        int n = decompose(&cp, 1, d, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
        if (n < 2 || compose(&cp, 1, back) != 1 ||
            back[0] != cp)
            continue;
        if (compose(d, n - 1, first) != 1)
            continue;
        uint32_t a = first[0], b = d[n - 1];
        uint32_t two[2] = {a, b};
        if (compose(two, 2, back) != 1 || back[0] != cp)
            continue;
        if (entry[b] & (CH_FOLD_DELETE | CH_FOLD_MAP))
            continue;
        int wn = table_expand(a, want);
        want[wn++] = b;
        int xn = table_expand(cp, back);
        if (xn != wn || memcmp(back, want, (size_t)wn * sizeof *want))
            continue;
        if (npairs == PAIRS_MAX) {
            fprintf(stderr, "gen_fold_table: too many pairs\n");
            exit(1);
        }
        pairs[npairs++] = (uint64_t)a << 42 | (uint64_t)b << 21 | cp;
        entry[b] |= CH_FOLD_COMP2;
    }
    for (uint32_t v = 0x1161; v <= 0x1175; v++)
        entry[v] |= CH_FOLD_COMP2;
    for (uint32_t t = 0x11A8; t <= 0x11C2; t++)
        entry[t] |= CH_FOLD_COMP2;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void print_u32s(const char *decl, const uint32_t *v, size_t n)
{
    printf("%s[%zu] = {\n", decl, n);
    for (size_t i = 0; i < n; i++)
        printf("%s0x%x,%s", i % 8 ? " " : "    ", v[i], i % 8 == 7 || i + 1 == n ? "\n" : "");
    printf("};\n\n");
}

/* Two-stage table: blocks of CH_FOLD_BLOCK entries, identical blocks shared. */
static void print_tables(void)
{
    static uint16_t index[NCP / CH_FOLD_BLOCK];
    static uint32_t blocks[NCP];
    size_t nblocks = 0;
    for (uint32_t bi = 0; bi < NCP / CH_FOLD_BLOCK; bi++) {
        const uint32_t *blk = entry + bi * CH_FOLD_BLOCK;
        size_t j = 0;
        while (j < nblocks && memcmp(blocks + j * CH_FOLD_BLOCK, blk, CH_FOLD_BLOCK * 4))
            j++;
        if (j == nblocks)
            memcpy(blocks + nblocks++ * CH_FOLD_BLOCK, blk, CH_FOLD_BLOCK * 4);
        index[bi] = (uint16_t)j;
    }
    printf("/*\n * fold_table.c - GENERATED by tests/tools/gen_fold_table.c from utf8proc %s\n"
           " * (Unicode data); do not edit. The per-code-point table of the match form:\n"
           " * see fold_table.h for the entry layout and docs/text.md for the rules.\n */\n"
           "#include \"text/fold_table.h\"\n\n",
           utf8proc_version());
    printf("const uint16_t ch_fold_index[%u] = {\n", NCP / CH_FOLD_BLOCK);
    for (size_t i = 0; i < NCP / CH_FOLD_BLOCK; i++)
        printf("%s%u,%s", i % 16 ? " " : "    ", index[i],
               i % 16 == 15 || i + 1 == NCP / CH_FOLD_BLOCK ? "\n" : "");
    printf("};\n\n");
    print_u32s("const uint32_t ch_fold_blocks", blocks, nblocks * CH_FOLD_BLOCK);
    print_u32s("const uint32_t ch_fold_pool", pool, npool);
    qsort(pairs, npairs, sizeof *pairs, cmp_u64);
    printf("const size_t ch_fold_npairs = %zu;\n\n", npairs);
    printf("const uint64_t ch_fold_pairs[%zu] = {\n", npairs);
    for (size_t i = 0; i < npairs; i++)
        printf("%s0x%llxull,%s", i % 4 ? " " : "    ", (unsigned long long)pairs[i],
               i % 4 == 3 || i + 1 == npairs ? "\n" : "");
    printf("};\n");
    fprintf(stderr, "gen_fold_table: %zu blocks of %d, pool %u, pairs %zu\n", nblocks,
            CH_FOLD_BLOCK, npool, npairs);
}

/* Every expansion must be a fixed point: its code points map to themselves. */
static void check_closed(void)
{
    for (uint32_t cp = 0; cp < NCP; cp++) {
        uint32_t seq[MAXSEQ];
        int n = table_expand(cp, seq);
        for (int i = 0; i < n; i++)
            if (entry[seq[i]] & (CH_FOLD_DELETE | CH_FOLD_MAP)) {
                fprintf(stderr, "gen_fold_table: U+%04X expands to U+%04X, not a fixed point\n",
                        cp, seq[i]);
                exit(1);
            }
    }
}

int main(void)
{
    build_entries();
    check_closed();
    build_pairs();
    print_tables();
    return 0;
}
