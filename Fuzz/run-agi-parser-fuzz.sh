#!/usr/bin/env bash
# Fuzzes TouchBase's AGI parsers with libFuzzer for N seconds (default 60). Not part of CI.
# The corpus starts from Asterisk's side of the recorded sessions in Tests/Fixtures/agi;
# crashes are written to Fuzz/artifacts/ and can be replayed with the plain build:
#   swift run --package-path Benchmarks agi-parser-fuzz Fuzz/artifacts/crash-...
# The fuzz target lives in the Benchmarks package (Benchmarks/Package.swift), apart from the product.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scratch=.build-fuzz
swift build -c release --package-path Benchmarks --scratch-path "$scratch" --product agi-parser-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library
mkdir -p Fuzz/corpus Fuzz/artifacts
for f in Tests/Fixtures/agi/*.txt; do
    python3 - "$f" "Fuzz/corpus/$(basename "$f" .txt)" <<'PY'
import ast, sys
out = b"".join(ast.literal_eval(l.split(None, 2)[2]) for l in open(sys.argv[1])
               if not l.startswith("#") and l.split(None, 2)[1] == "<")
open(sys.argv[2], "wb").write(out)
PY
done
"$scratch/release/agi-parser-fuzz" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix=Fuzz/artifacts/ Fuzz/corpus
