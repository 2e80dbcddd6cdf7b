#!/usr/bin/env bash
# before (8646a74) vs after (split), interleaved, one engine set per run
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D=/work/shared/datasets
run() { # label jar-dir args...
  local label=$1 dir=$2; shift 2
  echo "=== $label $(date +%T): $*"
  $J --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseTransparentHugePages \
    -Dquiver.home=/work/main -cp $dir/quiver-cli.jar:$dir/quiver-bench.jar io.quiver.cli.QuiverCli "$@" 2>&1 \
    | grep -v 'build .*\[' 
}
cd /work/bench-out
run before /work/before bench --dataset $D/fashion-mnist-784-euclidean --index hnsw,lucene --ef 10,16,32,64 --runs 3 --warmup-seconds 2 --markdown fmnist-before.md > fmnist-before.txt
run after /work/after bench --dataset $D/fashion-mnist-784-euclidean --index hnsw,lucene --ef 10,16,32,64 --runs 3 --warmup 2 --markdown fmnist-after.md > fmnist-after.txt
run after /work/after bench --dataset $D/scifact-minilm-384-cosine --index hnsw,lucene --ef 10,16,32,64 --runs 5 --warmup 2 --markdown scifact-after.md > scifact-after.txt
run before /work/before bench --dataset $D/scifact-minilm-384-cosine --index hnsw,lucene --ef 10,16,32,64 --runs 5 --warmup-seconds 2 --markdown scifact-before.md > scifact-before.txt
run before /work/before bench-filter --data $D/fashion-mnist-784-euclidean --queries 500 --runs 3 --out filter-before.md > filter-before.txt
run after /work/after bench-filter --data $D/fashion-mnist-784-euclidean --queries 500 --runs 3 --out filter-after.md > filter-after.txt
echo "=== done $(date +%T)"
