package io.quiver.index.flat;

import io.quiver.index.VectorIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The flat-index test family against indexes that were saved and reopened with memory-mapped vectors. */
class MappedFlatIndexTest extends FlatIndexTest {
  @TempDir Path dir;
  private final List<VectorIndex> opened = new ArrayList<>();

  @Override
  protected VectorIndex afterBuild(VectorIndex built) {
    String name = "index" + opened.size();
    try (VectorIndex original = built) {
      ((FlatIndex) original).save(dir, name);
      FlatIndex index = FlatIndex.open(dir, name, true);
      opened.add(index);
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected boolean writable() {
    return false;
  }

  @AfterEach
  void closeOpened() {
    opened.forEach(VectorIndex::close);
  }
}
