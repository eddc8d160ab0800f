/*
 * corpus_view.c - read access to a corpus: post and string views, files,
 * object columns, memory and time span. Views borrow the corpus's memory;
 * numeric post ids are printed into the view's own buffers (by hand, not
 * snprintf: every signal takes a view of every post, twice an id).
 */
#include "corpus_impl.h"
#include <chorus/report.h>


chorus_str ch_corpus_key_str(const chorus_corpus *c, uint64_t key, char *buf)
{
    if (key == CH_KEY_NONE)
        return (chorus_str){"", 0};
    if (key & CH_KEY_STR) {
        uint32_t s = (uint32_t)(key & ~CH_KEY_STR);
        return (chorus_str){ch_intern_str(&c->strs, s), ch_intern_len(&c->strs, s)};
    }
    char digits[20];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + key % 10);
    while ((key /= 10) != 0);
    for (size_t k = 0; k < n; k++)
        buf[k] = digits[n - 1 - k];
    buf[n] = 0;
    return (chorus_str){buf, n};
}

chorus_str chorus_corpus_string(const chorus_corpus *c, uint32_t sid)
{
    if (sid == CH_NONE || sid >= c->strs.n)
        return (chorus_str){"", 0};
    return (chorus_str){ch_intern_str(&c->strs, sid), ch_intern_len(&c->strs, sid)};
}

void chorus_corpus_post(const chorus_corpus *c, uint32_t i, chorus_post_view *v)
{
    v->id = ch_corpus_key_str(c, c->key[i], v->id_buf);
    v->account = c->acct[i];
    v->time_ms = c->time[i];
    v->time_res = (chorus_time_res)c->res[i];
    v->kind = (chorus_post_kind)c->kind[i];
    v->text = (chorus_str){c->txt[i], c->txt_len[i]};
    v->ref_post = ch_corpus_key_str(c, c->ref[i], v->ref_buf);
    v->ref_account = c->ref_acct[i] == CH_NONE ? -1 : (int64_t)c->ref_acct[i];
    static const uint32_t no_items[1];
    const uint32_t *l = c->lists ? c->lists + c->list_off[i] : no_items;
    v->n_hashtags = c->n_tags[i];
    v->n_urls = c->n_urls[i];
    v->n_mentions = c->n_ments[i];
    v->hashtags = l;
    v->urls = l + v->n_hashtags;
    v->mentions = l + v->n_hashtags + v->n_urls;
    v->client = chorus_corpus_string(c, c->client[i]);
    v->lang = chorus_corpus_string(c, c->lang[i]);
    v->source = chorus_corpus_string(c, c->source[i]);
    v->title = chorus_corpus_string(c, c->title[i]);
    v->client_sid = c->client[i];
    v->lang_sid = c->lang[i];
    v->source_sid = c->source[i];
    v->file = c->file[i];
}

uint32_t chorus_corpus_post_account(const chorus_corpus *c, uint32_t i) { return c->acct[i]; }
uint32_t chorus_corpus_post_client(const chorus_corpus *c, uint32_t i) { return c->client[i]; }

uint32_t chorus_corpus_post_count(const chorus_corpus *c) { return (uint32_t)c->np; }
uint32_t chorus_corpus_file_count(const chorus_corpus *c) { return (uint32_t)c->nfiles; }

const char *chorus_corpus_file_name(const chorus_corpus *c, uint32_t file)
{
    return file < c->nfiles ? c->files[file] : "";
}

uint32_t chorus_corpus_object_columns(const chorus_corpus *c) { return c->n_objcols; }

const char *chorus_corpus_object_column_name(const chorus_corpus *c, uint32_t k)
{
    return k < c->n_objcols ? c->obj_name[k] : "";
}

uint32_t chorus_corpus_post_object(const chorus_corpus *c, uint32_t post, uint32_t k)
{
    return k < c->n_objcols ? c->obj[k][post] : UINT32_MAX;
}

void chorus_corpus_time_span(const chorus_corpus *c, int64_t *first_ms, int64_t *last_ms)
{
    *first_ms = c->np ? c->tmin : 0;
    *last_ms = c->np ? c->tmax : 0;
}

uint64_t chorus_corpus_memory(const chorus_corpus *c)
{
    uint64_t per_post = 0;
#define SIZE_OF(a) per_post += sizeof *c->a;
    SIZE_OF(key) SIZE_OF(ref) SIZE_OF(acct) SIZE_OF(ref_acct) SIZE_OF(time) SIZE_OF(kind)
    SIZE_OF(res) SIZE_OF(file) SIZE_OF(txt) SIZE_OF(txt_len) SIZE_OF(client) SIZE_OF(lang)
    SIZE_OF(source) SIZE_OF(title) SIZE_OF(list_off) SIZE_OF(n_tags) SIZE_OF(n_urls)
    SIZE_OF(n_ments)
#undef SIZE_OF
    per_post += c->n_objcols * sizeof(uint32_t);
    return per_post * c->pcap + c->lcap * sizeof *c->lists + c->npslots * sizeof *c->pslots +
           c->acap * sizeof *c->acc + c->text.bytes + ch_intern_memory(&c->strs) +
           ch_intern_memory(&c->acct_ids);
}

uint32_t chorus_corpus_string_count(const chorus_corpus *c) { return (uint32_t)c->strs.n; }
