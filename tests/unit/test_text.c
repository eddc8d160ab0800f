/*
 * test_text.c - the match form, rule by rule as docs/text.md lists them
 * (every expected output is also checked to be its own match form), the
 * offset map, caps, out of memory, agreement with utf8proc's NFKC case
 * fold, and the tweet signal on a small corpus.
 */
#include "check.h"
#include "io_header.h"

#include <chorus/text.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <utf8proc.h>

static chorus_ctx *ctx;
static chorus_normalizer *def;
static chorus_text_buf buf;

/* The match form of in under n. */
static const char *mf(chorus_normalizer *n, const char *in)
{
    if (chorus_normalize(n, in, strlen(in), &buf) != CHORUS_OK)
        return "<error>";
    return buf.text;
}

/* in gives want, and want gives want (the match form is a fixed point). */
static void expect_n(chorus_normalizer *n, const char *in, const char *want, int line)
{
    const char *got = mf(n, in);
    if (strcmp(got, want) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: \"%s\" -> \"%s\", expected \"%s\"\n", __FILE__, line, in, got,
                want);
    }
    char *copy = strdup(want);
    got = mf(n, copy);
    if (strcmp(got, want) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: not a fixed point: \"%s\" -> \"%s\"\n", __FILE__, line, want, got);
    }
    free(copy);
}

#define EXPECT(in, want) expect_n(def, (in), (want), __LINE__)
#define EXPECT_O(n, in, want) expect_n((n), (in), (want), __LINE__)

/* Two spellings with the same match form. */
#define SAME(a, b)                                                 \
    do {                                                           \
        char *a_ = strdup(mf(def, (a)));                           \
        const char *b_ = mf(def, (b));                             \
        if (strcmp(a_, b_) != 0) {                                 \
            check_failures++;                                      \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, \
                    __LINE__, a_, b_);                             \
        }                                                          \
        free(a_);                                                  \
    } while (0)

static chorus_normalizer *with(void (*set)(chorus_text_opts *))
{
    chorus_text_opts o;
    chorus_text_defaults(&o);
    set(&o);
    chorus_normalizer *n = NULL;
    CHECK_INT(chorus_normalizer_new(ctx, &o, &n), CHORUS_OK);
    return n;
}

static void test_invalid_utf8(void)
{
    EXPECT("a\xff" "b", "a\uFFFD" "b");
    EXPECT("\xc3", "\uFFFD");                     /* truncated sequence */
    EXPECT("\xe2\x82", "\uFFFD\uFFFD");           /* each stray byte is one U+FFFD */
    EXPECT("\xc0\xaf", "\uFFFD\uFFFD");           /* overlong */
    EXPECT("\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"); /* surrogate */
    EXPECT("\xf4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD");
    EXPECT("", "");
}

static void test_nfkc(void)
{
    EXPECT("\uFF26\uFF35\uFF2C\uFF2C \uFF57\uFF49\uFF44\uFF54\uFF48", "full width");
    EXPECT("\uFB01nd \uFB02ow", "find flow");                 /* ligatures */
    EXPECT("\uFEFB\uFEB3\uFEE0\uFEE4", "\u0644\u0627\u0633\u0644\u0645"); /* presentation forms */
    EXPECT("\U0001D405\U0001D411\U0001D404\U0001D404", "free"); /* mathematical bold */
    EXPECT("x\u00B2 \u2460 \u216B", "x2 1 xii");
    EXPECT("e\u0301", "\u00E9"); /* composed */
    EXPECT("\u00E9", "\u00E9");
    SAME("e\u0323\u0302", "e\u0302\u0323"); /* canonical order of marks */
    EXPECT("e\u0302\u0323", "\u1EC7");
    EXPECT("\u1100\u1161\u11A8", "\uAC01"); /* Hangul jamo compose */
    EXPECT("\uAC00\u11A8", "\uAC01");
}

static void test_invisibles(void)
{
    static const char *const inv[] = {"\u200B", "\u200C", "\u200D", "\u200E", "\u200F",
                                      "\u061C", "\u202A", "\u202B", "\u202C", "\u202D",
                                      "\u202E", "\u2066", "\u2067", "\u2068", "\u2069",
                                      "\uFEFF", "\u00AD", "\u2060", "\uFE0F"};
    for (size_t i = 0; i < sizeof inv / sizeof inv[0]; i++) {
        char in[32];
        snprintf(in, sizeof in, "ab%scd", inv[i]);
        EXPECT(in, "abcd");
    }
    EXPECT("\u0633\u0640\u0640\u0644\u0627\u0645", "\u0633\u0644\u0627\u0645"); /* tatweel */
    EXPECT("\u2764\uFE0F \U0001F468\u200D\U0001F469", "\u2764 \U0001F468\U0001F469"); /* emoji */
    EXPECT("\U0001F525\U0001F525 ok \U0001F44D\U0001F3FD", "\U0001F525\U0001F525 ok \U0001F44D\U0001F3FD");
}

static void test_diacritics(void)
{
    /* fatha, damma, kasra, sukun, shadda, tanwin, superscript alef, Quranic marks */
    EXPECT("\u0642\u064F\u0631\u0652\u0622\u0646", "\u0642\u0631\u0627\u0646");
    EXPECT("\u0645\u064E\u062D\u064E\u0645\u0651\u064E\u062F", "\u0645\u062D\u0645\u062F");
    EXPECT("\u0643\u062A\u0627\u0628\u064B", "\u06A9\u062A\u0627\u0628");
    EXPECT("\u0647\u0670\u0630\u0627 \u0628\u0610 \u0645\u06D6", "\u0647\u0630\u0627 \u0628 \u0645");
}

static void test_persian_zwnj(void)
{
    /* one word, three spellings: with ZWNJ, with a space, joined */
    EXPECT("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645");
    EXPECT("\u0645\u06CC \u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645");
    EXPECT("\u0645\u06CC\u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645");
    EXPECT("\u0646\u0645\u06CC \u062F\u0627\u0646\u0645", "\u0646\u0645\u06CC\u062F\u0627\u0646\u0645");
    EXPECT("\u0645\u064A \u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645"); /* Arabic yeh */
    /* plural and comparative suffixes */
    SAME("\u06A9\u062A\u0627\u0628\u200C\u0647\u0627", "\u06A9\u062A\u0627\u0628 \u0647\u0627");
    SAME("\u06A9\u062A\u0627\u0628\u0647\u0627\u06CC", "\u06A9\u062A\u0627\u0628 \u0647\u0627\u06CC");
    SAME("\u0628\u0632\u0631\u06AF\u200C\u062A\u0631\u06CC\u0646", "\u0628\u0632\u0631\u06AF \u062A\u0631\u06CC\u0646");
    /* other compounds: ZWNJ and joined agree; a space agrees in the compact form */
    SAME("\u06A9\u062A\u0627\u0628\u200C\u062E\u0627\u0646\u0647", "\u06A9\u062A\u0627\u0628\u062E\u0627\u0646\u0647");
    EXPECT("\u06A9\u062A\u0627\u0628 \u062E\u0627\u0646\u0647", "\u06A9\u062A\u0627\u0628 \u062E\u0627\u0646\u0647");
    chorus_text_buf c;
    chorus_text_buf_init(&c, ctx);
    mf(def, "\u06A9\u062A\u0627\u0628 \u062E\u0627\u0646\u0647");
    CHECK_INT(chorus_text_compact(&buf, &c), CHORUS_OK);
    CHECK_STRN(c.text, c.len, "\u06A9\u062A\u0627\u0628\u062E\u0627\u0646\u0647");
    chorus_text_buf_free(&c);
    /* not after a Latin word, and not when the standalone token is longer */
    EXPECT("ok \u0647\u0627", "ok \u0647\u0627");
    EXPECT("\u0645\u06CC ok", "\u0645\u06CC ok");
}

static void no_join(chorus_text_opts *o) { o->join_affixes = 0; }

static void test_persian_no_join(void)
{
    chorus_normalizer *n = with(no_join);
    EXPECT_O(n, "\u0645\u06CC \u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC \u062E\u0648\u0627\u0647\u0645");
    EXPECT_O(n, "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645", "\u0645\u06CC\u062E\u0648\u0627\u0647\u0645");
    chorus_normalizer_free(n);
}

static void test_letter_families(void)
{
    static const char *const yeh[] = {"\u064A", "\u0649", "\u06D0", "\u06CD", "\u06CE", "\u0626"};
    static const char *const kaf[] = {"\u0643", "\u06AA", "\u06AB"};
    static const char *const heh[] = {"\u0629", "\u06C0", "\u06C1", "\u06BE", "\u06D5"};
    static const char *const alef[] = {"\u0623", "\u0625", "\u0622", "\u0671", "\u0672", "\u0673"};
    char in[16], want[16];
    for (size_t i = 0; i < 6; i++) {
        snprintf(in, sizeof in, "\u0628%s", yeh[i]);
        EXPECT(in, "\u0628\u06CC");
    }
    for (size_t i = 0; i < 3; i++) {
        snprintf(in, sizeof in, "\u0628%s", kaf[i]);
        EXPECT(in, "\u0628\u06A9");
    }
    for (size_t i = 0; i < 5; i++) {
        snprintf(in, sizeof in, "\u0628%s", heh[i]);
        EXPECT(in, "\u0628\u0647");
    }
    for (size_t i = 0; i < 6; i++) {
        snprintf(in, sizeof in, "\u0628%s", alef[i]);
        snprintf(want, sizeof want, "\u0628\u0627");
        EXPECT(in, want);
    }
    EXPECT("\u0628\u0624", "\u0628\u0648");
    EXPECT("\u0627\u0654", "\u0627"); /* alef + hamza above, decomposed */
}

static void test_digits_punct_quotes(void)
{
    EXPECT("\u06F1\u06F3\u06F9\u06F8", "1398");
    EXPECT("\u0661\u0662\u0663", "123");
    EXPECT("\u0628\u060C \u0628\u061B \u0628\u061F", "\u0628, \u0628; \u0628?");
    EXPECT("\u00ABx\u00BB \u201Cy\u201D \u2018z\u2019 \u201Ew\u201C", "\"x\" \"y\" 'z' \"w\"");
    EXPECT("\u2039a\u203A", "'a'");
    EXPECT("\u066A5 \u06F1\u066B\u06F5", "%5 1.5");
}

static void test_case_fold(void)
{
    EXPECT("HeLLo WORLD", "hello world");
    EXPECT("STRASSE Stra\u00DFe", "strasse strasse");
    EXPECT("\u0391\u0398\u0397\u039D\u0391", "\u03B1\u03B8\u03B7\u03BD\u03B1");
    EXPECT("\u00C9COLE", "\u00E9cole");
}

static void no_mentions(chorus_text_opts *o) { o->keep_mentions = 0; }
static void rep3(chorus_text_opts *o) { o->max_repeat = 3; }
static void rep0(chorus_text_opts *o) { o->max_repeat = 0; }

static void test_repeats(void)
{
    EXPECT("soooo gooood", "soo good");
    EXPECT("SoOoO", "soo");
    EXPECT("\u0633\u0644\u0627\u0627\u0627\u0627\u0645", "\u0633\u0644\u0627\u0627\u0645");
    EXPECT("2000000 !!!!", "2000000 !!!!"); /* digits and punctuation keep their runs */
    EXPECT("aaa aaa", "aa aa");
    chorus_normalizer *n = with(rep3);
    EXPECT_O(n, "soooooo", "sooo");
    chorus_normalizer_free(n);
    n = with(rep0);
    EXPECT_O(n, "soooooo", "soooooo");
    chorus_normalizer_free(n);
}

static void test_whitespace(void)
{
    EXPECT("  a \t\r\n b  ", "a b");
    EXPECT("a\u00A0b\u2003c\u3000d\u2028e\xc2\x85" "f\u202Fg", "a b c d e f g");
    EXPECT("a\x01\x7f" "b", "a b"); /* control characters separate */
    EXPECT("\u200B \u200C ", "");
}

static void test_rt_prefix(void)
{
    EXPECT("RT @someone: the text", "the text");
    EXPECT("RT @a: RT @b_2: nested", "nested");
    EXPECT("rt @a:joined", "joined");
    EXPECT("RT \t @a: spaced", "spaced");
    EXPECT("not RT @a: here", "not rt @a: here");
    EXPECT("RT @a no colon", "rt @a no colon");
}

static void no_rt(chorus_text_opts *o) { o->strip_rt = 0; }

static void lead_mentions(chorus_text_opts *o) { o->strip_lead_mentions = 1; }

static void test_lead_mentions(void)
{
    chorus_normalizer *n = with(lead_mentions);
    EXPECT_O(n, "@a @B_c hello @d", "hello @d");
    EXPECT_O(n, "@a, hello", ", hello");
    EXPECT_O(n, "RT @x: @a hello", "hello");
    /* an IO archive's pseudonymised account: its base64 id is the name */
    EXPECT_O(n, "@Ju/Z5ex8VVzDSXWOcHFEloy7qAtQYvxaQM7n+nwC= Hope it gets better", "hope it gets better");
    chorus_normalizer_free(n);
    EXPECT("@a hello", "@a hello");
    EXPECT("RT @ab+c/d=: text", "text");
}

static void test_rt_drop_mentions(void)
{
    chorus_normalizer *n = with(no_mentions);
    EXPECT_O(n, "RT  @a: RT @b: text @c", "text");
    chorus_normalizer_free(n);
}

static void test_rt_off(void)
{
    chorus_normalizer *n = with(no_rt);
    EXPECT_O(n, "RT @someone: the text", "rt @someone: the text");
    chorus_normalizer_free(n);
}

static void test_urls(void)
{
    EXPECT("see https://www.Example.com/a/B?utm_source=x now", "see <url:example.com> now");
    EXPECT("http://news.example.test:8080/x", "<url:news.example.test>");
    EXPECT("www.example.org/path", "<url:example.org>");
    EXPECT("(https://example.com/x)", "(<url:example.com>");
    EXPECT("\uFF48\uFF54\uFF54\uFF50\uFF53://example.com", "<url:example.com>"); /* full width */
    EXPECT("http://localhost/x", "<url>");
    EXPECT("http:// x", "http:// x"); /* nothing after the scheme */
    EXPECT("ahttp://example.com", "ahttp://example.com"); /* not at a token start */
    EXPECT("<url:example.com> and <url>", "<url:example.com> and <url>");
    EXPECT("<url:bad domain>", "<url:bad domain>");
}

static void url_drop(chorus_text_opts *o) { o->urls = CHORUS_TEXT_URL_DROP; }
static void url_keep(chorus_text_opts *o) { o->urls = CHORUS_TEXT_URL_KEEP; }

static void test_url_modes(void)
{
    chorus_normalizer *n = with(url_drop);
    EXPECT_O(n, "see https://example.com/a now", "see now");
    EXPECT_O(n, "RT https://example.com @x: text", "text"); /* a retweet prefix once the link is gone */
    chorus_normalizer_free(n);
    n = with(url_keep);
    EXPECT_O(n, "see HTTPS://Example.com/A now", "see https://example.com/a now");
    chorus_normalizer_free(n);
}


static void test_mentions(void)
{
    EXPECT("hi @SomeOne_22, ok", "hi @someone_22, ok");
    EXPECT("@Baaad", "@baaad"); /* names keep their letter runs */
    EXPECT("mail a@b.com", "mail a@b.com");
    chorus_normalizer *n = with(no_mentions);
    EXPECT_O(n, "hi @someone and @other there", "hi and there");
    EXPECT_O(n, "(@x#Foo_Bar)", "( #foobar foo bar )"); /* a dropped mention breaks the word */
    EXPECT_O(n, "http:@ttt//a", "http:"); /* '/' can be part of a pseudonymised name */
    chorus_normalizer_free(n);
}

static void no_tags(chorus_text_opts *o) { o->hashtags = 0; }

static void test_hashtags(void)
{
    EXPECT("#FreeVeldraneNow", "#freeveldranenow free veldrane now");
    EXPECT("#free_veldrane_now", "#freeveldranenow free veldrane now");
    EXPECT("#HTMLParser", "#htmlparser html parser");
    EXPECT("#Iran2024Now", "#iran2024now iran2024 now");
    EXPECT("#iran #Iran", "#iran #iran");
    EXPECT("#Goooal_Now!", "#gooalnow gooal now !"); /* the rest of the word stands apart */
    EXPECT("#GoHttps://x.com", "#gohttps go https ://x.com");
    EXPECT("#solo!", "#solo!");
    EXPECT("#___ x#y", "#___ x#y");
    /* Cherokee case-folds to upper case: no camelCase split there, or the
     * match form would split again when read again (found by fuzz_normalize) */
    EXPECT("#doo_\u1161\u13E8r", "#doo\u1161\u13E8r doo \u1161\u13E8r");
    EXPECT("#doo\u1161\u13E8r doo \u1161\u13E8r", "#doo\u1161\u13E8r doo \u1161\u13E8r");
    EXPECT("#\uABB8\u13E8", "#\u13E8\u13E8"); /* lower case folds to upper */
    EXPECT("#\u0646\u0647_\u0628\u0647_\u062C\u0646\u06AF",
           "#\u0646\u0647\u0628\u0647\u062C\u0646\u06AF \u0646\u0647 \u0628\u0647 \u062C\u0646\u06AF");
    chorus_normalizer *n = with(no_tags);
    EXPECT_O(n, "#Free_Now", "#free_now");
    chorus_normalizer_free(n);
}

static void test_offsets(void)
{
    const char *in = "RT @x: Hello  W\u00D6RLD \u200Cok https://example.com/p";
    CHECK_INT(chorus_normalize(def, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "hello w\u00F6rld ok <url:example.com>");
    const char *w = strstr(buf.text, "w\u00F6rld");
    size_t i = (size_t)(w - buf.text), j = i + strlen("w\u00F6rld");
    CHECK_INT(buf.src_off[i], 14);
    CHECK_INT(buf.src_off[j], 20); /* the space after it */
    CHECK_STRN(in + buf.src_off[i], buf.src_off[j] - buf.src_off[i], "W\u00D6RLD");
    const char *u = strstr(buf.text, "<url");
    CHECK_STRN(in + buf.src_off[u - buf.text], strlen(in) - buf.src_off[u - buf.text],
               "https://example.com/p");
    CHECK_INT(buf.src_off[buf.len], strlen(in));
    for (size_t k = 1; k <= buf.len; k++)
        CHECK(buf.src_off[k] >= buf.src_off[k - 1]);
    /* hashtag parts map to the end of the hashtag */
    in = "#FooBar baz";
    CHECK_INT(chorus_normalize(def, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "#foobar foo bar baz");
    CHECK_INT(buf.src_off[8], 7);
    CHECK_INT(buf.src_off[16], 8);
}

static void small(chorus_text_opts *o) { o->max_bytes = 10; }

static void test_caps(void)
{
    chorus_normalizer *n = with(small);
    const char *in = "abcdefghi\u00E9\u00E9"; /* the cut at 10 falls inside the first é */
    CHECK_INT(chorus_normalize(n, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "abcdefghi");
    CHECK(buf.truncated);
    CHECK_INT(buf.src_off[buf.len], 9);
    CHECK_INT(chorus_normalize(n, "short", 5, &buf), CHORUS_OK);
    CHECK(!buf.truncated);
    chorus_normalizer_free(n);
    /* expansions stop at twice max_bytes */
    n = with(small);
    in = "\uFDFA"; /* 3 bytes, 18 code points */
    CHECK_INT(chorus_normalize(n, in, strlen(in), &buf), CHORUS_OK);
    CHECK(buf.len <= 2 * 10 + 64);
    chorus_normalizer_free(n);
    chorus_text_opts o;
    chorus_text_defaults(&o);
    o.max_bytes = 0;
    CHECK_INT(chorus_normalizer_new(ctx, &o, &n), CHORUS_EUSAGE);
    o.max_bytes = (size_t)2 << 30;
    CHECK_INT(chorus_normalizer_new(ctx, &o, &n), CHORUS_EUSAGE);
    /* a long hostile run of marks is cut to 30 */
    char zalgo[1 + 2 * 100 + 1];
    zalgo[0] = 'a';
    for (int i = 0; i < 100; i++)
        memcpy(zalgo + 1 + 2 * i, "\xCC\x96", 2); /* U+0316 */
    zalgo[201] = 0;
    CHECK_INT(chorus_normalize(def, zalgo, 201, &buf), CHORUS_OK);
    CHECK_INT(buf.len, 1 + 2 * 30);
}

static void cap64(chorus_text_opts *o) { o->max_bytes = 64; }

/* Plain ASCII is written straight from the input and the rest through the
 * folded stream, in pieces: the two must agree where they meet (these
 * cases once differed while that was built). */
static void test_ascii_and_stream(void)
{
    chorus_normalizer *n = with(small);
    const char *in = "RT @x_y: a\xAD"; /* cut at 9: the prefix and a space the text ends with */
    CHECK_INT(chorus_normalize(n, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "");
    CHECK_INT(buf.words, 0);
    CHECK_INT(buf.src_off[0], 9);
    chorus_normalizer_free(n);
    n = with(cap64); /* the cut leaves a space after the hashtag: not in the stream */
    in = "The Kestrelby lighthouse tour sold out in an hour. #ScienceWeek https://v.example/w";
    CHECK_INT(chorus_normalize(n, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "the kestrelby lighthouse tour sold out in an hour. #scienceweek science week");
    CHECK_INT(buf.src_off[buf.len - 1], 64);
    CHECK_INT(buf.words, 10);
    chorus_normalizer_free(n);
    in = "cafe\u0301 #Caf\u00E9Now @ab\u00E9 http://x.com/\u00E9 ok #";
    CHECK_INT(chorus_normalize(def, in, strlen(in), &buf), CHORUS_OK);
    CHECK_STR(buf.text, "caf\u00E9 #caf\u00E9now caf\u00E9 now @ab\u00E9 <url:x.com> ok #");
    CHECK_INT(buf.words, 3);
    const char *ok = strstr(buf.text, " ok");
    CHECK_INT(buf.src_off[ok + 1 - buf.text], 39);
    in = "Go #HTMLParser_v2 and @Some_One, see WWW.Example.com/A b\u0645\u06CC rt @x: "
         "\u062A\u0631 #aa_Bb #aaa";
    CHECK_INT(chorus_normalize(def, in, strlen(in), &buf), CHORUS_OK);
    CHECK_INT(buf.words, 9);
    EXPECT(in, "go #htmlparserv2 html parser v2 and @some_one, see <url:example.com> "
               "b\u0645\u06CC rt @x: \u062A\u0631 #aabb aa bb #aa");
    SAME("one #TwoThree @four https://five.example/6 seven", "one #TwoThree @four "
         "https://five.example/6 \uFF53even");
}

static void test_words(void)
{
    mf(def, "RT @x: one two, three! @y https://a.example/x #FooBar - 42");
    CHECK_STR(buf.text, "one two, three! @y <url:a.example> #foobar foo bar - 42");
    CHECK_INT(buf.words, 5); /* one two three #foobar 42 */
    CHECK_INT(chorus_text_word_count(buf.text, buf.len), 7); /* plus foo, bar */
    mf(def, "\u0645\u06CC \u062E\u0648\u0627\u0647\u0645 \u06A9\u062A\u0627\u0628 \u0647\u0627");
    CHECK_INT(buf.words, 2);
    CHECK_INT(chorus_text_word_count("", 0), 0);
    CHECK_INT(chorus_text_word_count("a  b ", 5), 2);
}

static void test_hash(void)
{
    uint64_t h = chorus_text_hash("abc", 3);
    CHECK(h == chorus_text_hash("abc", 3));
    CHECK(h != chorus_text_hash("abd", 3));
    CHECK(chorus_text_hash("", 0) != h);
}

static void test_idempotent_mix(void)
{
    static const char *const in[] = {
        "RT @a: @b hi #A_b_C https://x.example/#y www.x.example",
        "\u0645\u06CC \u0645\u06CC \u062E\u0648\u0627\u0647\u0645 \u0647\u0627 \u0647\u0627",
        "\u0647\u0647 \u0647\u0627 x\u0303x\u0303 ooo\u0308 #a_\u0301b",
        "@x rt @y: z", "#aa_a #\u0645\u06CC_\u062E\u0648\u0627\u0647\u0645", "a\u0345\u0301 \u0130",
    };
    chorus_normalizer *drop = with(no_mentions);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        for (int k = 0; k < 2; k++) {
            chorus_normalizer *n = k ? drop : def;
            char *once = strdup(mf(n, in[i]));
            const char *twice = mf(n, once);
            if (strcmp(once, twice)) {
                check_failures++;
                fprintf(stderr, "%s:%d: \"%s\" -> \"%s\" -> \"%s\"\n", __FILE__, __LINE__, in[i],
                        once, twice);
            }
            free(once);
        }
    }
    chorus_normalizer_free(drop);
}

/* Letters outside the scripts chorus folds itself: the match form of each
 * is utf8proc's NFKC with case folding (without its ignorable stripping). */
static void test_agrees_with_utf8proc(void)
{
    int bad = 0;
    for (int32_t cp = 0xA0; cp < 0x30000 && bad < 5; cp++) {
        const utf8proc_property_t *p = utf8proc_get_property(cp);
        if (p->category < UTF8PROC_CATEGORY_LU || p->category > UTF8PROC_CATEGORY_LO ||
            (cp >= 0x0600 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFEFF) ||
            (cp >= 0x1EE00 && cp <= 0x1EEFF))
            continue;
        uint8_t in[8], *ref = NULL;
        utf8proc_ssize_t k = utf8proc_encode_char(cp, in);
        utf8proc_ssize_t m = utf8proc_map(in, k, &ref,
                                          UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                                              UTF8PROC_CASEFOLD);
        if (m > 0 && !memchr(ref, ' ', (size_t)m) && !memchr(ref, '#', (size_t)m) &&
            !memchr(ref, '@', (size_t)m)) {
            /* twice: a letter repeated once stays whatever max_repeat says */
            chorus_normalize(def, (const char *)in, (size_t)k, &buf);
            if (buf.len != (size_t)m || memcmp(buf.text, ref, (size_t)m)) {
                /* utf8proc's map is not always a fixed point; accept ours when it is NFKC_CF of ref */
                uint8_t *ref2 = NULL;
                utf8proc_ssize_t m2 = utf8proc_map(ref, m, &ref2,
                                                   UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                       UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
                if (buf.len != (size_t)m2 || memcmp(buf.text, ref2, (size_t)m2)) {
                    bad++;
                    fprintf(stderr, "U+%04X: \"%s\" vs utf8proc \"%.*s\"\n", (unsigned)cp,
                            buf.text, (int)m, ref);
                }
                free(ref2);
            }
        }
        free(ref);
    }
    CHECK_INT(bad, 0);
}

/* Random sequences of letters, marks and jamo: composition and canonical
 * order agree with utf8proc's NFKC with case folding. */
static void test_compose_agrees(void)
{
    static const int32_t pool[] = {'a', 'e', 'o', 'u', 'A', 'E', 's', 0x0300, 0x0301, 0x0308,
                                   0x0323, 0x0302, 0x0327, 0x0345, 0x031B, 0x0307, 0x1100,
                                   0x1161, 0x11A8, 0xAC00, 0x00E9, 0x01FA, 0x1EC7, 0x00DF,
                                   0x0130, 0x1E9E, 0x03B1, 0x0399, 0x1F00, 0x0B47, 0x0B3E};
    chorus_normalizer *n = with(rep0);
    uint64_t x = 12345;
    int bad = 0;
    for (int t = 0; t < 20000 && bad < 5; t++) {
        uint8_t in[64];
        utf8proc_ssize_t k = 0;
        int len = 1 + (int)((x >> 33) % 6);
        for (int i = 0; i < len; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            k += utf8proc_encode_char(pool[(x >> 33) % (sizeof pool / sizeof pool[0])], in + k);
        }
        uint8_t *r1 = NULL, *r2 = NULL;
        int opt = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD;
        utf8proc_ssize_t m1 = utf8proc_map(in, k, &r1, (utf8proc_option_t)opt);
        utf8proc_ssize_t m2 = utf8proc_map(r1, m1, &r2, (utf8proc_option_t)opt);
        chorus_normalize(n, (const char *)in, (size_t)k, &buf);
        int ok1 = buf.len == (size_t)m1 && !memcmp(buf.text, r1, buf.len);
        int ok2 = buf.len == (size_t)m2 && !memcmp(buf.text, r2, buf.len);
        if (!ok1 && !ok2) {
            bad++;
            fprintf(stderr, "\"%.*s\": \"%s\" vs utf8proc \"%.*s\"\n", (int)k, in, buf.text,
                    (int)m1, r1);
        }
        free(r1);
        free(r2);
    }
    CHECK_INT(bad, 0);
    chorus_normalizer_free(n);
}

static void test_out_of_memory(void)
{
    int saw_nomem = 0, saw_ok = 0;
    for (long budget = 0; budget < 12; budget++) {
        check_alloc_budget = 1000;
        chorus_ctx *c = chorus_ctx_new(check_failing_alloc, NULL);
        check_alloc_budget = budget;
        chorus_normalizer *n = NULL;
        chorus_rc rc = chorus_normalizer_new(c, NULL, &n);
        chorus_text_buf b;
        chorus_text_buf_init(&b, c);
        const char *in = "#FooBar https://example.com \u0645\u06CC \u062E\u0648\u0627\u0647\u0645";
        for (int rep = 0; !rc && rep < 3; rep++)
            rc = chorus_normalize(n, in, strlen(in), &b);
        if (rc == CHORUS_ENOMEM)
            saw_nomem = 1;
        else if (rc == CHORUS_OK) {
            saw_ok = 1;
            CHECK_STR(b.text, "#foobar foo bar <url:example.com> \u0645\u06CC\u062E\u0648\u0627\u0647\u0645");
        } else
            CHECK_INT(rc, CHORUS_OK);
        chorus_text_buf_free(&b);
        chorus_normalizer_free(n);
        chorus_ctx_free(c);
    }
    CHECK(saw_nomem);
    CHECK(saw_ok);
}

/* a and b post one text in two spellings, c retweets it, d replies with
 * it; e posts a short text, f a long one. */
static const char tweet_csv[] =
    IO_HEADER
    "1,a,a,a,,,,1,1,2015-03-02,en,en,\"Free Veldrane now, they said it clearly https://t.co/x\","
    "2019-06-01 12:00,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "2,b,b,b,,,,1,1,2015-03-02,en,en,\"FREE   veldrane NOW, they said it clearly \u200Chttps://t.co/y\","
    "2019-06-01 12:01,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "3,c,c,c,,,,1,1,2015-03-02,en,en,\"RT @a: Free Veldrane now, they said it clearly https://t.co/x\","
    "2019-06-01 12:02,,,,,true,a,1,a,a,0,0,0,0,[],[],[],\n"
    "4,d,d,d,,,,1,1,2015-03-02,en,en,\"@a @b Free Veldrane now, they said it clearly https://t.co/z\","
    "2019-06-01 12:03,,a,1,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "5,e,e,e,,,,1,1,2015-03-02,en,en,\"free veldrane now\","
    "2019-06-01 12:04,,,,,false,,,a,a,0,0,0,0,[],[],[],\n"
    "6,f,f,f,,,,1,1,2015-03-02,en,en,\"LONG\","
    "2019-06-01 12:05,,,,,false,,,a,a,0,0,0,0,[],[],[],\n";

static void test_tweet_signal(void)
{
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/chorus-text-XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    /* post 6 gets a long text: 100 distinct words */
    const char *at = strstr(tweet_csv, "\"LONG\"");
    fwrite(tweet_csv, 1, (size_t)(at - tweet_csv), f);
    fputc('"', f);
    for (int i = 0; i < 100; i++)
        fprintf(f, "word%d ", i);
    fputc('"', f);
    fputs(at + 6, f);
    fclose(f);
    chorus_corpus *c = chorus_corpus_new(ctx);
    CHECK_INT(chorus_ingest(c, path, NULL, NULL), CHORUS_OK);
    CHECK_INT(chorus_corpus_post_count(c), 6);
    chorus_actions *s = NULL;
    CHECK_INT(chorus_text_tweet_actions(ctx, c, NULL, CHORUS_TEXT_MIN_WORDS, &s), CHORUS_OK);
    size_t n = 0;
    chorus_action *a = s ? chorus_actions_data(s, &n) : NULL;
    CHECK_INT(n, 4);                        /* a, b, d and f; not the retweet, not the short one */
    CHECK_INT(s ? chorus_actions_objects(s) : 0, 2);
    if (n == 4) {
        CHECK_INT(a[0].object, a[1].object); /* a and b: the same text */
        CHECK_INT(a[1].object, a[2].object); /* d's reply, without the reply's mentions */
        CHECK(a[3].object != a[0].object);
        CHECK_INT(a[2].account, 3);
        CHECK(a[2].time_ms > a[1].time_ms);
        chorus_str l = chorus_actions_label(s, a[0].object);
        CHECK_STRN(l.ptr, l.len, "free veldrane now, they said it clearly <url:t.co>");
        l = chorus_actions_label(s, a[3].object); /* long: head, U+2026, hash */
        CHECK(l.len == 200 + 3 + 16 || l.len == 199 + 3 + 16);
        CHECK(l.len > 20 && memcmp(l.ptr, "word0 word1 ", 12) == 0);
        CHECK(strstr(l.ptr, "\u2026") != NULL);
    }
    chorus_actions_free(s);
    /* min_words 0 keeps the short text too; the retweet never counts */
    CHECK_INT(chorus_text_tweet_actions(ctx, c, NULL, 0, &s), CHORUS_OK);
    chorus_actions_data(s, &n);
    CHECK_INT(n, 5);
    chorus_actions_free(s);
    rmdir(dir);
    unlink(path);
    chorus_corpus_free(c);
}

int main(void)
{
    ctx = chorus_ctx_new(NULL, NULL);
    if (!ctx || chorus_normalizer_new(ctx, NULL, &def) != CHORUS_OK)
        return 2;
    chorus_text_buf_init(&buf, ctx);
    RUN(test_invalid_utf8);
    RUN(test_nfkc);
    RUN(test_invisibles);
    RUN(test_diacritics);
    RUN(test_persian_zwnj);
    RUN(test_persian_no_join);
    RUN(test_letter_families);
    RUN(test_digits_punct_quotes);
    RUN(test_case_fold);
    RUN(test_repeats);
    RUN(test_whitespace);
    RUN(test_rt_prefix);
    RUN(test_rt_off);
    RUN(test_rt_drop_mentions);
    RUN(test_lead_mentions);
    RUN(test_urls);
    RUN(test_url_modes);
    RUN(test_mentions);
    RUN(test_hashtags);
    RUN(test_offsets);
    RUN(test_caps);
    RUN(test_ascii_and_stream);
    RUN(test_words);
    RUN(test_hash);
    RUN(test_idempotent_mix);
    RUN(test_agrees_with_utf8proc);
    RUN(test_compose_agrees);
    RUN(test_out_of_memory);
    RUN(test_tweet_signal);
    chorus_text_buf_free(&buf);
    chorus_normalizer_free(def);
    chorus_ctx_free(ctx);
    TEST_END("test_text");
}
