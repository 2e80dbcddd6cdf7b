#!/usr/bin/env bash
# quiver-hnsw only, before/after alternating, 5 pairs, Fashion-MNIST
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
D=/work/shared/datasets
cd /work/bench-out
for i in 1 2 3 4 5; do
  for v in before after; do
    if [ $v = before ]; then w="--warmup-seconds 2"; else w="--warmup 2"; fi
    echo "=== $v pair $i $(date +%T)"
    $J --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseTransparentHugePages \
      -Dquiver.home=/work/main -cp /work/$v/quiver-cli.jar:/work/$v/quiver-bench.jar io.quiver.cli.QuiverCli \
      bench --dataset $D/fashion-mnist-784-euclidean --index hnsw --ef 10,32 --runs 3 $w 2>&1 | grep -E '^quiver-hnsw +16'
  done
done
echo "=== done $(date +%T)"
