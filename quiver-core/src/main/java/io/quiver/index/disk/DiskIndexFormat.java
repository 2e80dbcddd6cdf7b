package io.quiver.index.disk;

/**
 * Constants of the {@code .qdisk} file (byte layout in docs/format.md, "Disk index"): a 4 KiB header, then five
 * sections whose offset, length and CRC32C the header records.
 */
final class DiskIndexFormat {
  static final int HEADER_BYTES = DiskLayout.PAGE;
  static final int MAGIC = 0x4B534451; // "QDSK" as little-endian bytes
  static final int VERSION = 1;

  static final int OFF_METRIC = 8;
  static final int OFF_DIMENSION = 12;
  static final int OFF_COUNT = 16;
  static final int OFF_MAX_DEGREE = 20;
  static final int OFF_BLOCK_BYTES = 24;
  static final int OFF_BLOCKS_PER_PAGE = 28;
  static final int OFF_ENTRY = 32;
  static final int OFF_ROUTING_LAYERS = 36;
  static final int OFF_FLAGS = 40;
  static final int OFF_SECTIONS = 48;
  static final int SECTION_ENTRY_BYTES = 24;

  /** Both quantizers' parameters: the in-RAM codes', then the blocks' int8 one. */
  static final int SECTION_QUANTIZERS = 0;
  /** One code record per node, in ordinal order; loaded into RAM. */
  static final int SECTION_CODES = 1;
  /** The routing layers (HNSW's upper levels); loaded into RAM. */
  static final int SECTION_ROUTING = 2;
  /** Node blocks, page-aligned; each block carries its own CRC32C (the section's CRC field is 0). */
  static final int SECTION_BLOCKS = 3;
  /** Float32 vectors in ordinal order, page-aligned; read for the final rerank and for returning vectors. */
  static final int SECTION_FLOATS = 4;
  static final int SECTIONS = 5;

  static final String[] SECTION_NAMES = {"quantizers", "codes", "routing layers", "blocks", "float vectors"};

  private DiskIndexFormat() {}

  static int sectionOffset(int section) {
    return OFF_SECTIONS + section * SECTION_ENTRY_BYTES;
  }
}
