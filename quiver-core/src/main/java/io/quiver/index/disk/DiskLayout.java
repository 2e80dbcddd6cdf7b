package io.quiver.index.disk;

/**
 * Where a node's block lives in a {@code .qdisk} file. A block holds the node's int8 record, its neighbour count, its
 * neighbour list (padded to {@code maxDegree}) and a CRC32C of those bytes. Blocks never straddle a 4 KiB page when
 * one fits in a page: {@code blocksPerPage} of them are packed from each page's start and the rest of the page is
 * zero, so fetching a node costs one page read. A block larger than a page takes whole pages of its own.
 *
 * @param recordBytes bytes of the int8 record, rounded up to a multiple of 4 so the ints after it stay aligned
 */
record DiskLayout(int dimension, int maxDegree, int recordBytes, int blockBytes, int blocksPerPage, long pageSpan) {
  static final int PAGE = 4096;

  static DiskLayout of(int dimension, int maxDegree, int int8RecordBytes) {
    int record = (int8RecordBytes + 3) & ~3;
    int raw = record + Integer.BYTES + maxDegree * Integer.BYTES + Integer.BYTES;
    if (raw <= PAGE) {
      int perPage = PAGE / raw;
      return new DiskLayout(dimension, maxDegree, record, raw, perPage, PAGE);
    }
    int pages = (raw + PAGE - 1) / PAGE;
    return new DiskLayout(dimension, maxDegree, record, pages * PAGE, 1, (long) pages * PAGE);
  }

  /** Offset of node {@code node}'s block from the start of the blocks section. */
  long blockOffset(int node) {
    return (node / blocksPerPage) * pageSpan + (long) (node % blocksPerPage) * blockBytes;
  }

  /** Bytes of the blocks section for {@code count} nodes (whole pages). */
  long blocksSectionBytes(int count) {
    return ((long) count + blocksPerPage - 1) / blocksPerPage * pageSpan;
  }

  /** Offset of the neighbour count within a block. */
  int countOffset() {
    return recordBytes;
  }

  /** Offset of the checksum within a block: after the record, the count and maxDegree neighbour slots. */
  int crcOffset() {
    return recordBytes + Integer.BYTES + maxDegree * Integer.BYTES;
  }

  static long alignToPage(long offset) {
    return (offset + PAGE - 1) & -PAGE;
  }
}
