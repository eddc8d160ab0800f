/*
 * narratives.c - the fixed catalogue of fictional talking points that the
 * simulated campaigns push, and narratives.csv. Everything named here is
 * invented (Veldrane, Ostravin, Tavira, Quellport, Dunmere, their parties,
 * companies and people). Each narrative has an English text, a Persian
 * version for about half, campaign hashtags, a front domain, and a
 * hand-written paraphrase that documents.c uses for "paraphrase" laundering.
 */
#include "sim/sim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Persian texts are UTF-8 with U+200C (ZWNJ, "\u200c") inside words such
 * as می‌شود, written as escapes so the source stays readable in any editor. */
#define ZW "\u200c"

static const sim_narrative catalogue[] = {
    {"N01", "Ostravin port deal",
     "The Ostravin port deal hands our coast to foreign creditors, and the harbour workers who "
     "built it will be the first to lose their jobs.",
     "قرارداد بندر استراوین ساحل ما را به طلبکاران خارجی می" ZW "سپارد و کارگران بندر که آن "
     "را ساخته" ZW "اند نخستین کسانی خواهند بود که کارشان را از دست می" ZW "دهند.",
     {"OstravinPortDeal", "SaveOurCoast", "ساحل_ما"}, "coast-watch-news.example",
     "Under the new shipping agreement, overseas lenders would effectively control the "
     "shoreline, leaving dock crews unemployed."},
    {"N02", "Veldrane ballot count",
     "Ballots from the northern districts of Veldrane were counted twice. The Renewal Front "
     "knows it and the electoral board refuses to publish the raw tallies.",
     "آرای مناطق شمالی ولدرین دو بار شمرده شد. جبهه نوسازی این را می" ZW "داند و هیئت "
     "انتخابات از انتشار شمارش" ZW "های خام خودداری می" ZW "کند.",
     {"VeldraneRecount", "CountedTwice", NULL}, "veldrane-truth.example",
     "Votes cast up north appear to have been added a second time, while election officials "
     "keep their original count sheets hidden."},
    {"N03", "Tavira water diversion",
     "Tavira is diverting river water to Kestrel Grid Holdings while families in the valley "
     "wait in line for rationed drinking water.",
     NULL, {"TaviraWater", "ValleyIsThirsty", NULL}, "valley-water-now.example",
     "Rural households queue for limited supplies as officials send whole rivers toward an "
     "energy company's turbines."},
    {"N04", "Orvane approval payments",
     "Orvane Pharmaceuticals paid Quellport regulators to approve its fever medicine early; "
     "the inspection report has vanished from the ministry website.",
     "شرکت داروسازی اوروان به ناظران کوئل" ZW "پورت پول داد تا داروی تب آن زودتر تأیید "
     "شود؛ گزارش بازرسی از وب" ZW "سایت وزارتخانه ناپدید شده است.",
     {"OrvaneFiles", "QuellportHealth", NULL}, "quellport-health-files.example",
     "A drug maker reportedly bought a fast approval for its pills, and those official "
     "findings can no longer be found online."},
    {"N05", "Dunmere grain exports",
     "Dunmere is quietly exporting its emergency grain reserve to Ostravin. Bread prices will "
     "double before winter and nobody in the cabinet will admit why.",
     "دانمیر بی" ZW "سروصدا ذخیره اضطراری غله" ZW "اش را به استراوین صادر می" ZW "کند. "
     "قیمت نان پیش از زمستان دو برابر می" ZW "شود و هیچ" ZW "کس در کابینه دلیلش را "
     "نمی" ZW "گوید.",
     {"DunmereGrain", "BreadPrices", "نان_گران"}, "dunmere-bread.example",
     "Stockpiled wheat meant for crises is being shipped abroad, so expect loaves to cost "
     "twice as much once the cold season arrives."},
    {"N06", "Brightwell phone software",
     "Brightwell Telecom is installing listening software on every new phone sold in "
     "Veldrane, and the Civic Harbour Party voted to keep it secret.",
     "شرکت مخابرات برایت" ZW "ول روی هر گوشی تازه" ZW "ای که در ولدرین فروخته می" ZW "شود "
     "نرم" ZW "افزار شنود نصب می" ZW "کند و حزب بندر مدنی رأی داد که این موضوع پنهان بماند.",
     {"BrightwellListens", "PhonePrivacy", NULL}, "privacy-alert-veldrane.example",
     "Handsets bought across that country now come with hidden eavesdropping tools from their "
     "carrier, a fact lawmakers chose to conceal."},
    {"N07", "Marrowgate ferry inspections",
     "Marrowgate Shipping cut safety inspections on the Quellport ferries to save money. The "
     "next accident is only a matter of time.",
     NULL, {"MarrowgateFerries", NULL, NULL}, "ferry-safety-now.example",
     "Trimming costs, one passenger boat operator has skipped required checks, making another "
     "disaster likely soon."},
    {"N08", "Tavira farm subsidies",
     "Farm subsidies in Tavira go to Sunfallow Agritech executives, not farmers. The Farmers' "
     "League has not received a single payment this year.",
     "یارانه" ZW "های کشاورزی در تاویرا به مدیران شرکت سان" ZW "فالو می" ZW "رسد، نه به "
     "کشاورزان. اتحادیه کشاورزان امسال حتی یک پرداخت هم دریافت نکرده است.",
     {"TaviraFarmers", "SubsidyScandal", NULL}, "tavira-farm-voice.example",
     "Agricultural support money meant for growers is ending up with corporate managers, "
     "while small producers have seen nothing since January."},
    {"N09", "Dunmere border crossings",
     "Soldiers from Ostravin have been seen crossing the Dunmere border at night, and the "
     "government has ordered local reporters to stay silent.",
     "سربازان استراوین شبانه در حال عبور از مرز دانمیر دیده شده" ZW "اند و دولت به "
     "خبرنگاران محلی دستور داده است سکوت کنند.",
     {"DunmereBorder", "OstravinTroops", NULL}, "border-eye.example",
     "Witnesses describe foreign troops slipping over the frontier after dark, yet officials "
     "told regional journalists not to cover it."},
    {"N10", "Quellport money printing",
     "The Quellport central bank is printing money to cover the Unity Bloc's campaign debts. "
     "Savers will pay for it with their pensions.",
     NULL, {"QuellportBank", "PensionTheft", NULL}, "quellport-savers.example",
     "A monetary authority is reportedly creating new currency to settle one party's election "
     "bills, eroding retirement savings."},
    {"N11", "Veldrane dam cracks",
     "Engineers warned that the Veldrane river dam is cracking, but Minister Aldo Varenne "
     "signed off on it anyway to protect his friends at Kestrel Grid.",
     NULL, {"VeldraneDam", "VarenneResign", NULL}, "veldrane-truth.example",
     "Despite expert alarms about fractures in a reservoir wall, a cabinet member approved "
     "that structure to shield an allied power firm."},
    {"N12", "Tavira village schools",
     "Tavira plans to close forty village schools and sell the land to developers linked to "
     "the governing coalition. Parents were never consulted.",
     NULL, {"SaveVillageSchools", "TaviraLand", NULL}, "tavira-parents.example",
     "Dozens of rural classrooms face shutdown so well-connected builders can acquire those "
     "plots, without any input from families."},
    {"N13", "Dunmere heating bills",
     "Heating bills in Dunmere rose by a third because Kestrel Grid Holdings is selling our "
     "gas to Quellport at a discount.",
     "قبض" ZW "های گرمایش در دانمیر یک" ZW "سوم گران" ZW "تر شده است، چون کسترل گرید گاز ما "
     "را با تخفیف به کوئل" ZW "پورت می" ZW "فروشد.",
     {"DunmereHeating", "KestrelGas", NULL}, "dunmere-truth.example",
     "Households now pay far more to stay warm, since the national utility ships cheap fuel "
     "abroad to its neighbour."},
    {"N14", "Ostravin newspaper buyouts",
     "Independent newspapers in Ostravin are being bought one by one by a single holding "
     "company. Soon every front page will say the same thing.",
     NULL, {"OstravinPress", "OneVoiceMedia", NULL}, "free-press-ostravin.example",
     "A lone conglomerate is steadily acquiring the country's free press, which means its "
     "headlines could soon be identical everywhere."},
};

const sim_narrative *sim_narratives(size_t *n)
{
    *n = sizeof catalogue / sizeof catalogue[0];
    return catalogue;
}

/* One narratives.csv row; label and text may hold commas and quotes. */
static void write_row(FILE *f, const sim_narrative *nr, const char *text)
{
    fputs(nr->id, f);
    putc(',', f);
    sim_csv_cell(f, nr->label, strlen(nr->label));
    putc(',', f);
    sim_csv_cell(f, text, strlen(text));
    putc('\n', f);
}

chorus_rc sim_write_narratives(chorus_ctx *ctx, const char *dir, uint64_t *rows)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/narratives.csv", dir) >= (int)sizeof path)
        return ch_error(ctx, CHORUS_EUSAGE, "%s/narratives.csv: path too long", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return ch_error(ctx, CHORUS_EIO, "%s: cannot create: %s", path, strerror(errno));
    uint64_t n_rows = 0;
    size_t n;
    const sim_narrative *cat = sim_narratives(&n);
    fputs("narrative_id,label,text\n", f);
    for (size_t i = 0; i < n; i++) {
        write_row(f, &cat[i], cat[i].text);
        n_rows++;
        if (cat[i].text_fa) {
            write_row(f, &cat[i], cat[i].text_fa);
            n_rows++;
        }
    }
    int bad = ferror(f);
    int err = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad)
        return ch_error(ctx, CHORUS_EIO, "%s: write failed: %s", path, strerror(err));
    if (rows)
        *rows = n_rows;
    return CHORUS_OK;
}
