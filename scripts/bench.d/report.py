#!/usr/bin/env python3
"""Writes benchmarks.md and benchmarks.json from the raw measurements of scripts/bench.

Usage: report.py WORK_DIR OUT_DIR MODE ONLY
WORK_DIR holds raw.tsv (figure, side, round, value, unit, extra), meta.tsv, notes.tsv, spans.tsv, load.tsv.
"""
import json
import os
import statistics
import sys
from collections import OrderedDict, defaultdict

work, out, mode, only = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")


def read_tsv(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


meta = OrderedDict((k, v) for k, v, *_ in read_tsv("meta.tsv"))
notes = defaultdict(list)
for fig, text, *_ in read_tsv("notes.tsv"):
    notes[fig].append(text)
raw = defaultdict(lambda: defaultdict(list))  # figure -> side -> [(round, value, unit, extra)]
for row in read_tsv("raw.tsv"):
    fig, side, rnd, value, unit = row[:5]
    extra = row[5] if len(row) > 5 else ""
    raw[fig][side].append((rnd, float(value), unit, extra))
spans = defaultdict(dict)
for fig, kind, t in read_tsv("spans.tsv"):
    spans[fig][kind] = float(t)
load = [(float(t), [float(x) for x in l.split()]) for t, l in read_tsv("load.tsv")]


def load_during(start, end):
    vals = [l[0] for t, l in load if start <= t <= end]
    if not vals:
        return None
    return {"mean_1min": round(statistics.mean(vals), 2), "max_1min": round(max(vals), 2)}


def pct(values, p):
    v = sorted(values)
    k = (len(v) - 1) * p
    f = int(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


def stats(fig, side):
    entries = raw.get(fig, {}).get(side)
    if not entries:
        return None
    values = [v for _, v, _, _ in entries]
    return OrderedDict(
        unit=entries[0][2],
        rounds=values,
        n=len(values),
        median=statistics.median(values),
        min=min(values),
        max=max(values),
        p90=pct(values, 0.9),
        extra=[e for *_, e in entries if e],
    )


def fmt(x, unit=""):
    if x is None:
        return "-"
    if unit in ("rows/s", "per s", "tx/s") or abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def mib(kib):
    return kib / 1024.0


figures = OrderedDict()
md = []


def add_figure(name, title, target, holds, sides, ratios, reproduce, text=None, measured=True, why=None):
    span = spans.get(name) or spans.get(name.split("-")[0], {})
    fig = OrderedDict(
        title=title,
        target=target,
        holds=holds,
        measured=measured,
        sides=sides,
        ratios=ratios,
        load=load_during(span["start"], span["end"]) if "start" in span and "end" in span else None,
        duration_s=round(span["end"] - span["start"], 1) if "start" in span and "end" in span else None,
        notes=notes.get(name.split("-")[0], []),
        reproduce=reproduce,
    )
    if why:
        fig["why_not_measured"] = why
    figures[name] = fig


def verdict(h):
    return "**holds**" if h is True else ("**does not hold**" if h is False else "n/a")


# ------------------------------------------------------------------ backfill
rows_meta = int(meta.get("backfill_rows", {"quick": 100_000, "full": 1_000_000}[mode]))
for batch in (1000, 5000):
    name = f"backfill-{batch}"
    if "backfill" not in only:
        continue
    if name not in raw:
        add_figure(name, f"Backfill, {batch:,}-key batches", "engine >= 0.95 x keyset loop with checkpoint",
                   None, {}, {}, "scripts/bench --only backfill", measured=False,
                   why="not measured yet: the run ended before this figure (see the script's output)")
        continue
    sides = OrderedDict((s, stats(name, s)) for s in ("engine", "keyset-checkpoint", "keyset", "update", "jdbc"))
    ratios = OrderedDict()
    eng = raw[name]["engine"]
    for peer in ("keyset-checkpoint", "keyset", "update", "jdbc"):
        if sides.get(peer):
            per_round = {r: v for r, v, _, _ in raw[name][peer]}
            rr = [v / per_round[r] for r, v, _, _ in eng if r in per_round]
            ratios[f"engine/{peer}"] = OrderedDict(
                of_medians=sides["engine"]["median"] / sides[peer]["median"],
                per_round=rr, min=min(rr), max=max(rr))
    ratio = ratios["engine/keyset-checkpoint"]["of_medians"]
    add_figure(name, f"Backfill of {rows_meta:,} rows, {batch:,}-key batches",
               "engine >= 0.95 x the server-side keyset loop with a checkpoint row per batch",
               ratio >= 0.95, sides, ratios, "scripts/bench --only backfill" + (" --quick" if mode == "quick" else ""))

# ------------------------------------------------------------------ start-up
if "startup" in only:
    names = ["version", "validate", "watch-once", "watch-screen", "psql", "pg_activity-screen",
             "version-nocds", "validate-nocds", "watch-once-nocds", "watch-screen-nocds"]
    sides = OrderedDict((s, stats("startup", s)) for s in names if stats("startup", s))
    ratios = OrderedDict()
    if sides:
        for s in ("version", "validate", "watch-once", "watch-screen"):
            if s in sides and "psql" in sides:
                ratios[f"{s}/psql"] = OrderedDict(of_medians=sides[s]["median"] / sides["psql"]["median"])
        for s in ("version", "validate", "watch-once", "watch-screen"):
            if s in sides and s + "-nocds" in sides:
                ratios[f"{s}/{s}-nocds"] = OrderedDict(of_medians=sides[s]["median"] / sides[s + "-nocds"]["median"])
        holds = None
        if "watch-screen" in sides and "pg_activity-screen" in sides:
            r = sides["watch-screen"]["median"] / sides["pg_activity-screen"]["median"]
            ratios["watch-screen/pg_activity-screen"] = OrderedDict(of_medians=r)
            holds = r <= 1.2
        add_figure("startup", "Start-up", "first full frame of `watch` <= 1.2 x pg_activity's first screen",
                   holds, sides, ratios, "scripts/bench --only startup")
    else:
        add_figure("startup", "Start-up", "", None, {}, {}, "scripts/bench --only startup", measured=False,
                   why="not measured yet")

# ------------------------------------------------------------------ impact
if "impact" in only:
    sides = OrderedDict()
    for case in ("alone", "update", "lockstep", "paced"):
        for m in ("p50", "p99", "tps", "change", "process-p99"):
            st = stats("impact", f"{case}-{m}")
            if st:
                sides[f"{case}-{m}"] = st
    ratios = OrderedDict()
    holds = None
    if "alone-p99" in sides and "lockstep-p99" in sides:
        r = sides["lockstep-p99"]["median"] / sides["alone-p99"]["median"]
        ratios["lockstep-p99/alone-p99"] = OrderedDict(of_medians=r)
        holds = r <= 1.2
    if "alone-p99" in sides and "update-p99" in sides:
        ratios["update-p99/alone-p99"] = OrderedDict(
            of_medians=sides["update-p99"]["median"] / sides["alone-p99"]["median"])
    paced_holds = None
    if "alone-p99" in sides and "paced-p99" in sides:
        r = sides["paced-p99"]["median"] / sides["alone-p99"]["median"]
        ratios["paced-p99/alone-p99"] = OrderedDict(of_medians=r)
        paced_holds = r <= 1.2
    add_figure("impact", "Application impact (pgbench)", "p99 during a Lockstep backfill <= 1.2 x p99 alone",
               holds, sides, ratios, "scripts/bench --only impact", measured=bool(sides),
               why=None if sides else "not measured: " + "; ".join(notes.get("impact", ["no data"])))
    figures["impact"]["holds_paced"] = paced_holds

# ------------------------------------------------------------------ memory
if "memory" in only:
    sides = OrderedDict((s, stats("memory", s)) for s in sorted(raw.get("memory", {})))
    ratios = OrderedDict()
    holds = None
    if "watch-rss" in sides and "pg_activity-rss" in sides:
        r = sides["watch-rss"]["median"] / sides["pg_activity-rss"]["median"]
        ratios["watch-rss/pg_activity-rss"] = OrderedDict(of_medians=r)
        holds = r <= 1.5
    if "watch-cpu" in sides and "pg_activity-cpu" in sides:
        ratios["watch-cpu/pg_activity-cpu"] = OrderedDict(
            of_medians=sides["watch-cpu"]["median"] / sides["pg_activity-cpu"]["median"])
    runs = sorted((int(s.split("-")[1]), s) for s in sides if s.startswith("run-"))
    run_holds = None
    if runs:
        biggest = sides[runs[-1][1]]["max"]
        run_holds = mib(biggest) <= 128
        if len(runs) > 1:
            ratios[f"{runs[-1][1]}/{runs[0][1]}"] = OrderedDict(
                of_medians=sides[runs[-1][1]]["median"] / sides[runs[0][1]]["median"])
    add_figure("memory", "Memory and CPU",
               "watch peak RSS <= 1.5 x pg_activity's; run <= 128 MiB, flat in the number of rows; "
               "console idle cost <= 1 % of a core (0.6 CPU-s/min)",
               holds, sides, ratios, "scripts/bench --only memory", measured=bool(sides))
    figures["memory"]["holds_run"] = run_holds
    if "watch-cpu" in sides:
        figures["memory"]["holds_idle_cpu"] = sides["watch-cpu"]["median"] <= 0.6

# ------------------------------------------------------------------ reaction
if "reaction" in only:
    sides = OrderedDict((s, stats("reaction", s)) for s in
                        ("signal-to-last-commit", "breach-to-last-commit", "batches-after-breach") if stats("reaction", s))
    holds = None
    if sides:
        holds = sides["signal-to-last-commit"]["max"] <= 1000 + sides["breach-to-last-commit"]["max"] + 50 \
            and sides["batches-after-breach"]["max"] <= 1
    add_figure("reaction", "Reaction to a pause-level breach",
               "last batch commit within one probe interval (1 s) plus one batch of the signal turning bad",
               holds, sides, {}, "scripts/bench --only reaction", measured=bool(sides))

# ------------------------------------------------------------------ probes
if "probes" in only:
    sides = OrderedDict((s, stats("probes", s)) for s in
                        ("snapshot-db", "locks-db", "floor-db", "pg_activity-db", "snapshot-client", "pg_activity-client")
                        if stats("probes", s))
    ratios = OrderedDict()
    holds = None
    if "snapshot-db" in sides and "floor-db" in sides:
        r = sides["snapshot-db"]["median"] / sides["floor-db"]["median"]
        ratios["snapshot-db/floor-db"] = OrderedDict(of_medians=r)
        ratios["locks-db/floor-db"] = OrderedDict(of_medians=sides["locks-db"]["median"] / sides["floor-db"]["median"])
        holds = r <= 1.5
    if "pg_activity-db" in sides and "snapshot-db" in sides:
        ratios["pg_activity-db/snapshot-db"] = OrderedDict(
            of_medians=sides["pg_activity-db"]["median"] / sides["snapshot-db"]["median"])
    add_figure("probes", "Probe cost at 500 sessions",
               "one full snapshot <= 1.5 x the database time of `select count(*) from pg_locks`",
               holds, sides, ratios, "scripts/bench --only probes", measured=bool(sides))

# ------------------------------------------------------------------ timeline
if "timeline" in only:
    sides = OrderedDict((s, stats("timeline", s)) for s in ("appends", "dd-dsync", "verify") if stats("timeline", s))
    ratios = OrderedDict()
    holds = None
    if sides:
        if "appends" in sides and "dd-dsync" in sides:
            ratios["appends/dd-dsync"] = OrderedDict(of_medians=sides["appends"]["median"] / sides["dd-dsync"]["median"])
        holds = sides.get("verify", {}).get("median", 0) >= 100_000 and (
            sides["appends"]["median"] >= 1000 or sides["dd-dsync"]["median"] < 1000)
    add_figure("timeline", "Timeline", ">= 1,000 forced appends/s where the disk allows it (dd oflag=dsync); "
               ">= 100,000 verification lines/s", holds, sides, ratios, "scripts/bench --only timeline",
               measured=bool(sides))

# ------------------------------------------------------------------ earlier figures
# A full run of a subset (--only) rewrites the file it shares with the other figures: those it did not measure
# are carried over from the benchmarks.json it replaces, each saying which run measured it.
ORDER = ["backfill-1000", "backfill-5000", "startup", "impact", "memory", "reaction", "probes", "timeline"]
previous_path = os.path.join(out, "benchmarks.json")
if mode == "full" and os.path.exists(previous_path):
    with open(previous_path) as f:
        previous = json.load(f, object_pairs_hook=OrderedDict)
    if previous.get("meta", {}).get("mode") == "full":
        run_of = OrderedDict((k, previous["meta"].get(k)) for k in ("command", "started", "finished", "git_commit"))
        for name, fig in previous.get("figures", {}).items():
            if name not in figures and fig.get("measured"):
                fig.setdefault("from_run", run_of)
                figures[name] = fig
        figures = OrderedDict(sorted(figures.items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER else 99))


def earlier(fig):
    r = fig.get("from_run")
    return f"run `{r['command']}` of {r['started']}, commit {r['git_commit']}" if r else None


# ------------------------------------------------------------------ output
run_load = load_during(load[0][0], load[-1][0]) if load else None
doc = OrderedDict(meta=meta, load=run_load, figures=figures)
with open(os.path.join(out, "benchmarks.json"), "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")

SIDE_LABEL = {
    "engine": "Lockstep engine (`lockstep run`, step span)",
    "keyset-checkpoint": "(2) PL/pgSQL keyset loop + checkpoint row, COMMIT per batch",
    "keyset": "(1) PL/pgSQL keyset loop, COMMIT per batch",
    "update": "(3) one whole-table UPDATE",
    "jdbc": "(4) minimal JDBC loop (arithmetic bounds, no checkpoint)",
    "version": "`lockstep --version`",
    "validate": "`lockstep validate runbooks/*.yaml`",
    "watch-once": "`lockstep watch --once --json` (primary + standby)",
    "watch-screen": "`lockstep watch` first full frame (tmux 100x30)",
    "psql": "`psql -c 'select 1'`",
    "pg_activity-screen": "pg_activity first screen (tmux 100x30)",
    "version-nocds": "`lockstep --version` without the AppCDS archive",
    "validate-nocds": "`lockstep validate runbooks/*.yaml` without the AppCDS archive",
    "watch-once-nocds": "`lockstep watch --once --json` without the AppCDS archive",
    "watch-screen-nocds": "`lockstep watch` first full frame without the AppCDS archive",
    "snapshot-db": "Lockstep full snapshot, database time",
    "locks-db": "Lockstep locks part, database time",
    "floor-db": "floor: `select count(*) from pg_locks`, database time",
    "pg_activity-db": "pg_activity waiting + blocking, database time",
    "snapshot-client": "Lockstep full snapshot, client time (primary + standby)",
    "pg_activity-client": "pg_activity waiting + blocking, client time",
    "appends": "forced timeline appends",
    "dd-dsync": "disk: `dd bs=350 oflag=dsync` appends",
    "verify": "timeline verification lines",
    "signal-to-last-commit": "signal turns bad -> last batch commit",
    "breach-to-last-commit": "`breach` recorded -> last batch commit",
    "batches-after-breach": "batches committed after the breach was recorded",
    "watch-rss": "`lockstep watch` peak RSS",
    "pg_activity-rss": "pg_activity peak RSS",
    "watch-cpu": "`lockstep watch` CPU",
    "pg_activity-cpu": "pg_activity CPU",
}


def label(s):
    if s in SIDE_LABEL:
        return SIDE_LABEL[s]
    if s.startswith("run-"):
        return f"`lockstep run` peak RSS, {int(s.split('-')[1]):,}-row backfill"
    for case, what in (("alone", "(a) alone"), ("update", "(b) during one whole-table UPDATE"),
                       ("lockstep", "(c) during a Lockstep backfill (its step)"),
                       ("paced", "(d) during the same backfill paced (its step)")):
        if s.startswith(case + "-"):
            metric = s.split("-", 1)[1]
            return f"{what}: " + {"p50": "p50 latency", "p99": "p99 latency", "tps": "TPS",
                                   "change": "the change's duration",
                                   "process-p99": "p99 latency from the launch of `lockstep run` to its exit"}.get(metric, metric)
    return s


def show(st, unit):
    if unit == "KiB":
        return lambda x: f"{mib(x):.1f}"
    return lambda x: fmt(x, unit)


quick = mode == "quick"
m = meta
md.append("# Benchmarks\n")
md.append("Written by `scripts/bench` (do not edit by hand: rerun it). Every figure is measured in the same run as "
          "its peer, on the same machine, against a sandbox (embedded PostgreSQL primary + streaming standby) "
          "the script starts. Rounds interleave the sides and rotate their order. Raw numbers: "
          "[benchmarks.json](benchmarks.json).\n")
if quick:
    md.append("**This is a `--quick` run** (small tables, few rounds): it shows that the suite works, not what "
              "the targets say.\n")
md.append(f"- Run: `{m.get('command')}`, {m.get('started')} to {m.get('finished')}, commit {m.get('git_commit')}")
mem_gib = int(m.get("memory_kib", "0")) / 1024 / 1024
md.append(f"- Machine: {m.get('nproc')} CPUs ({m.get('cpu')}), {mem_gib:.1f} GiB memory, {m.get('kernel')}")
if run_load:
    md.append(f"- Load average (1 min) during the run: mean {run_load['mean_1min']}, max {run_load['max_1min']}"
              f" (per figure below)")
md.append(f"- {m.get('java')}; launcher options `{m.get('launcher_opts')}`; {m.get('postgres')}; "
          f"{m.get('lockstep')}; {m.get('pgbench')}; {m.get('pg_activity')}")
md.append("- Reproduce: `scripts/bench` (full, about 20 minutes on 2 cores), `scripts/bench --quick` (about 3 "
          "minutes), `scripts/bench --only FIGURE[,FIGURE]` (backfill, startup, impact, memory, reaction, probes, "
          "timeline)" + ("" if not any(earlier(f) for f in figures.values()) else
                          "\n- Figures this run did not measure are carried over from the run that did, and name it")
          + "\n")

md.append("## Summary\n")
md.append("| figure | target | measured | holds |")
md.append("|---|---|---|---|")


def summary_line(name, fig):
    s = fig["sides"]
    r = fig["ratios"]
    if not fig["measured"]:
        return fig.get("why_not_measured", "not measured yet")
    if name.startswith("backfill"):
        k = r["engine/keyset-checkpoint"]
        return (f"engine/(2) **{k['of_medians']:.3f}** (rounds {k['min']:.3f}-{k['max']:.3f}); "
                f"/(1) {r['engine/keyset']['of_medians']:.3f}; /(3) {r['engine/update']['of_medians']:.3f}; "
                f"/(4) {r['engine/jdbc']['of_medians']:.3f}")
    if name == "startup":
        parts = []
        if "watch-screen/pg_activity-screen" in r:
            parts.append(f"first frame {s['watch-screen']['median']:.0f} ms vs pg_activity "
                         f"{s['pg_activity-screen']['median']:.0f} ms: **{r['watch-screen/pg_activity-screen']['of_medians']:.2f}x**")
        for k in ("version", "validate", "watch-once"):
            if f"{k}/psql" in r:
                parts.append(f"{k} {s[k]['median']:.0f} ms ({r[k + '/psql']['of_medians']:.1f}x psql)")
        cds = [f"{k} {r[k + '/' + k + '-nocds']['of_medians']:.2f}" for k in ("version", "validate", "watch-once", "watch-screen")
               if f"{k}/{k}-nocds" in r]
        if cds:
            parts.append("with/without AppCDS: " + ", ".join(cds))
        return "; ".join(parts)
    if name == "impact":
        parts = []
        for case in ("alone", "update", "lockstep", "paced"):
            if f"{case}-p99" in s:
                parts.append(f"{case} p99 {s[case + '-p99']['median']:.1f} ms")
        if "lockstep-p99/alone-p99" in r:
            parts.append(f"(c)/(a) **{r['lockstep-p99/alone-p99']['of_medians']:.2f}x**")
        if "paced-p99/alone-p99" in r:
            parts.append(f"paced (d)/(a) **{r['paced-p99/alone-p99']['of_medians']:.2f}x**")
        return ", ".join(parts)
    if name == "memory":
        parts = []
        if "watch-rss/pg_activity-rss" in r:
            parts.append(f"watch {mib(s['watch-rss']['median']):.0f} MiB vs pg_activity "
                         f"{mib(s['pg_activity-rss']['median']):.0f} MiB: **{r['watch-rss/pg_activity-rss']['of_medians']:.2f}x**")
        runs = [k for k in s if k.startswith("run-")]
        for k in sorted(runs, key=lambda x: int(x.split("-")[1])):
            parts.append(f"run {int(k.split('-')[1]):,} rows {mib(s[k]['max']):.0f} MiB")
        if "watch-cpu" in s:
            parts.append(f"watch CPU {s['watch-cpu']['median']:.2f} CPU-s/min"
                         + (f" vs pg_activity {s['pg_activity-cpu']['median']:.2f}" if "pg_activity-cpu" in s else ""))
        return "; ".join(parts)
    if name == "reaction":
        a = s["signal-to-last-commit"]
        return f"signal -> last commit median {a['median']:.0f} ms, max {a['max']:.0f} ms (n={a['n']})"
    if name == "probes":
        parts = []
        if "snapshot-db/floor-db" in r:
            parts.append(f"snapshot {s['snapshot-db']['median']:.1f} ms vs floor {s['floor-db']['median']:.1f} ms: "
                         f"**{r['snapshot-db/floor-db']['of_medians']:.2f}x**")
        if "pg_activity-db/snapshot-db" in r:
            parts.append(f"pg_activity's queries {r['pg_activity-db/snapshot-db']['of_medians']:.1f}x the snapshot")
        return "; ".join(parts)
    if name == "timeline":
        parts = [f"{s['appends']['median']:,.0f} appends/s (disk's dsync {s['dd-dsync']['median']:,.0f}/s)"] \
            if "appends" in s and "dd-dsync" in s else []
        if "verify" in s:
            parts.append(f"{s['verify']['median']:,.0f} verified lines/s")
        return "; ".join(parts)
    return ""


for name, fig in figures.items():
    h = fig["holds"]
    extra = ""
    if name == "memory":
        extra = f"; run: {verdict(fig.get('holds_run'))}; idle CPU: {verdict(fig.get('holds_idle_cpu'))}"
    if name == "impact" and fig.get("holds_paced") is not None:
        extra = f" flat out; paced: {verdict(fig.get('holds_paced'))}"
    then = f" (earlier {earlier(fig)})" if earlier(fig) else ""
    md.append(f"| {fig['title']} | {fig['target']} | {summary_line(name, fig)}{then} | {verdict(h)}{extra} |")
md.append("")

for name, fig in figures.items():
    md.append(f"## {fig['title']}\n")
    md.append(f"Target: {fig['target']}. Verdict: {verdict(fig['holds'])}.")
    if earlier(fig):
        md.append(f"Measured by an earlier {earlier(fig)}; this run did not measure it.")
    if fig.get("load"):
        md.append(f"Load average during this figure: mean {fig['load']['mean_1min']}, max {fig['load']['max_1min']} "
                  f"({fig['duration_s']} s). Reproduce: `{fig['reproduce']}`.\n")
    else:
        md.append(f"Reproduce: `{fig['reproduce']}`.\n")
    if not fig["measured"]:
        md.append(fig.get("why_not_measured", "Not measured yet.") + "\n")
        continue
    ref = "engine" if name.startswith("backfill") else None
    md.append("| side | unit | median | min | max | rounds | ratio |" if ref else "| side | unit | median | min | max | rounds |")
    md.append("|---|---|---:|---:|---:|---:|---:|" if ref else "|---|---|---:|---:|---:|---:|")
    for side, st in fig["sides"].items():
        if not st:
            continue
        f_ = show(st, st["unit"])
        unit = "MiB" if st["unit"] == "KiB" else st["unit"]
        row = f"| {label(side)} | {unit} | {f_(st['median'])} | {f_(st['min'])} | {f_(st['max'])} | {st['n']} |"
        if ref:
            if side == ref:
                row += " |"
            else:
                k = fig["ratios"].get(f"engine/{side}")
                row += f" engine/this **{k['of_medians']:.3f}** (rounds {k['min']:.3f}-{k['max']:.3f}) |" if k else " |"
        md.append(row)
    md.append("")
    if fig["ratios"] and not ref:
        md.append("Ratios (of medians): " + "; ".join(f"{k} **{v['of_medians']:.2f}**" for k, v in fig["ratios"].items()) + "\n")
    extras = [(label(side), e) for side, st in fig["sides"].items() if st for e in sorted(set(st["extra"]))[:3]]
    if extras and name in ("impact", "memory"):
        md.append("Details: " + "; ".join(f"{s}: {e}" for s, e in extras) + "\n")
    for n in fig["notes"]:
        md.append(f"- {n}")
    if fig["notes"]:
        md.append("")

here = os.path.dirname(os.path.abspath(__file__))
# reading.md: what the last full run's numbers say, written by hand after it (full runs only)
for part in (["reading.md"] if mode == "full" else []) + ["methods.md"]:
    path = os.path.join(here, part)
    if os.path.exists(path):
        with open(path) as f:
            md.append(f.read().rstrip() + "\n")

with open(os.path.join(out, "benchmarks.md"), "w") as f:
    f.write("\n".join(md))
