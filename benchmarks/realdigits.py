"""Real pictures: the realdigits-dev set read as ``skdigits predict`` reads it.

Every picture of the development set (phone photos and scanned exam boxes,
labelled by folder; see its README) goes through the same path as
``skdigits predict``: read in colour at most 3 megapixels, normalised by the
model's ``DigitImageNormalizer`` in each of its ``views``, read by the rest
of the pipeline (the mean of its probabilities over the views). Prints
accuracy per part (tan and kien photos, grid and paper photos, then each of
their writers, and NSYSU scans), how many answers were flagged unsure and
how many of those were wrong, and the time to read and normalise a
12-megapixel JPEG photo in every view (median of repeats).

    python benchmarks/realdigits.py                  # the model that ships
    python benchmarks/realdigits.py --model my.skdigits
    python benchmarks/realdigits.py --write          # also updates RESULTS.md
    python benchmarks/realdigits.py --part grid_toan --failures wrong.tsv

``--part`` (repeatable) reads only the pictures of those parts, to look at
one writer quickly (never with ``--write``); ``--failures`` writes each
picture read wrongly (file, label, answer, probability) to a TSV file.

The set is read from ``../shared/data/realdigits-dev`` beside the repository
(``--data`` elsewhere); its pictures are never copied into the project.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "..", "shared", "data", "realdigits-dev")
START, END = "<!-- benchmarks/realdigits.py: start -->", "<!-- benchmarks/realdigits.py: end -->"
PARTS = {
    "tan": "tan photos",
    "kien": "kien photos",
    "grid": "grid photos (squared and ruled paper)",
    "grid_toan": "- grid_toan",
    "grid_hwdc": "- grid_hwdc",
    "grid_dhph": "- grid_dhph",
    "grid_gwl": "- grid_gwl",
    "grid_raven": "- grid_raven",
    "paper": "paper photos (pencil, shadows, vignetting)",
    "paper_star": "- paper_star",
    "paper_uyen": "- paper_uyen",
    "nsysu": "NSYSU scans",
}
TARGETS = {
    "tan": 0.90,
    "kien": 0.95,
    "grid": 0.90,
    "paper": 0.92,
    "paper_star": 0.92,
    "paper_uyen": 0.92,
    "nsysu": 0.95,
}
TARGETS.update({part: 0.80 for part in PARTS if part.startswith("grid_")})
# The shipped model with the normaliser as it was before issue 14 (tan, kien,
# NSYSU: the model that shipped first, sha256 d6c65d61532c) and before issue 28
# (grid and paper: the model that ships, normaliser of commit 2554fbd), each
# measured once, every picture through skdigits predict's path.
BEFORE = {
    "tan": (73, 107),
    "kien": (58, 61),
    "grid": (155, 367),
    "grid_toan": (9, 80),
    "grid_hwdc": (33, 77),
    "grid_dhph": (48, 120),
    "grid_gwl": (43, 60),
    "grid_raven": (22, 30),
    "paper": (250, 313),
    "paper_star": (52, 70),
    "paper_uyen": (198, 243),
    "nsysu": (1804, 1890),
}


def parts_of(file):
    """The parts a picture counts in: its set, and for grid and paper its writer."""
    words = os.path.basename(file).split("_")
    if words[0] in ("grid", "paper") and len(words) > 2:
        return (words[0], f"{words[0]}_{words[1]}")
    return (words[0],)


def dev_files(root):
    """``(file, label, part)`` for each picture of the set, sorted."""
    from skdigits.datasets import load_picture_folder

    items = []
    for kind in ("photos", "scans"):
        if not os.path.isdir(os.path.join(root, kind)):
            continue
        pictures = load_picture_folder(os.path.join(root, kind))
        for file, label in zip(pictures.filenames, pictures.target):
            items.append((file, int(label), parts_of(file)))
    return items


def load(model_path):
    from skdigits.cli._common import load_model_file
    from skdigits.pretrained import load_default_model

    if model_path:
        return load_model_file(model_path, allow_pickle=False)
    return load_default_model(log=lambda message: None)


def read_all(model, items, min_probability):
    """Each picture through ``skdigits predict``'s path; the results per picture."""
    from skdigits.images import DigitReader

    reader = DigitReader(model, min_probability=min_probability)
    readings = reader.read_all([file for file, _, _ in items], [label for _, label, _ in items])
    return [
        {**reading.as_dict(), "label": reading.label, "parts": parts}
        for reading, (_, _, parts) in zip(readings, items)
    ]


def time_12_megapixels(model, source, repeats):
    """Median seconds to read and normalise a 4000x3000 JPEG made from ``source``."""
    from PIL import Image

    from skdigits.images import DigitReader, normalize_picture

    normalizer = DigitReader(model).normalizer
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "photo-12mp.jpg")
        Image.open(source).convert("RGB").resize((4000, 3000), Image.BICUBIC).save(path, quality=92)
        normalize_picture(path, normalizer)  # imports and caches out of the timing
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            normalize_picture(path, normalizer)
            seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def run(options):
    data = os.path.abspath(options.data)
    if not os.path.isdir(data):
        print(f"{data} is not here: nothing to measure.", file=sys.stderr)
        return 1
    items = dev_files(data)
    if options.part:
        unknown = sorted(set(options.part) - set(PARTS))
        if unknown:
            print(
                f"--part: no part {', '.join(unknown)} (parts: {', '.join(PARTS)})", file=sys.stderr
            )
            return 2
        if options.write:
            print("--write measures every part: leave out --part", file=sys.stderr)
            return 2
        items = [item for item in items if set(item[2]) & set(options.part)]
    model = load(options.model)
    start = time.perf_counter()
    results = read_all(model, items, options.min_probability)
    seconds = time.perf_counter() - start
    if options.failures:
        with open(options.failures, "w", encoding="utf-8") as handle:
            handle.write("file\tlabel\tanswer\tprobability\n")
            for r in results:
                if r.get("digit") != r["label"]:
                    handle.write(
                        f"{r.get('file', '')}\t{r['label']}\t{r.get('digit', 'error')}\t"
                        f"{r.get('probability', '')}\n"
                    )
    rows = []
    for part, name in PARTS.items():
        mine = [r for r in results if part in r["parts"]]
        if not mine:
            continue
        correct = sum(r.get("digit") == r["label"] for r in mine)
        unsure = [r for r in mine if r.get("unsure") or "error" in r]
        wrong_unsure = sum(r.get("digit") != r["label"] for r in unsure)
        before = BEFORE[part][0] / BEFORE[part][1]
        rows.append(
            f"| {name} | {len(mine)} | {correct} | {correct / len(mine):.3f} | "
            f"{before:.3f} | "
            + (f">= {TARGETS[part]:.2f}" if part in TARGETS else "")
            + f" | {len(unsure)} | {wrong_unsure} |"
        )
        print(
            f"{name}: {correct}/{len(mine)} ({correct / len(mine):.3f}); flagged unsure "
            f"{len(unsure)}, of which wrong {wrong_unsure}",
            flush=True,
        )
    if options.part:
        return 0
    source = next(f for f, _, parts in items if parts[0] in ("tan", "kien"))
    twelve = time_12_megapixels(model, source, options.repeats)
    print(f"12-megapixel JPEG, read and normalised: {twelve:.3f} s (median of {options.repeats})")
    if options.model:
        import hashlib

        with open(options.model, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        model_name = f"{os.path.basename(options.model)} (sha256 {digest[:12]})"
    else:
        from skdigits.pretrained import pretrained_info

        model_name = (
            "the model that ships, skdigits.load_pretrained (sha256 "
            f"{pretrained_info()['model_sha256'][:12]})"
        )
    section = "\n".join(
        [
            START,
            "## Real pictures (realdigits-dev) through skdigits predict's path",
            "",
            "Command: `python benchmarks/realdigits.py"
            + (f" --model {options.model}" if options.model else "")
            + " --write`",
            "",
            f"Model: {model_name}. Unsure: probability under {options.min_probability} or ink "
            "hard to find (`skdigits predict --min-probability`); pictures that gave no digit "
            "count as unsure and wrong.",
            "",
            "| part | pictures | read correctly | accuracy | before | target | "
            "flagged unsure | wrong among flagged |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
            *rows,
            "",
            "Before: tan, kien and NSYSU before issue 14, the model that shipped first "
            "(sha256 d6c65d61532c) with the normaliser as it was then (one threshold on the "
            "whole picture, the border's grey for polarity); grid and paper before issue 28, "
            "the model that ships with the normaliser of commit 2554fbd (axis-aligned lines "
            "only, the light subtracted).",
            "",
            f"All {len(results):,} pictures read and predicted in {seconds:.1f} s. A 12-megapixel "
            f"JPEG photo (4000x3000) is read and normalised in {twelve:.3f} s (median of "
            f"{options.repeats}; target <= 0.5 s).",
            END,
        ]
    )
    print(section)
    if options.write:
        path = os.path.join(HERE, "RESULTS.md")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if START in text:
            text = text[: text.index(START)] + section + text[text.index(END) + len(END) :]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a .skdigits model (default: the model that ships)")
    parser.add_argument("--data", default=DEFAULT_DATA, help="the realdigits-dev folder")
    parser.add_argument(
        "--min-probability",
        type=float,
        default=0.6,
        help="as skdigits predict's (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=7, help="12-megapixel timings")
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument(
        "--part", action="append", help="read only this part (repeatable), e.g. grid_toan"
    )
    parser.add_argument("--failures", help="write the pictures read wrongly to this TSV file")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.exit(main())
