package io.quiver.collection;

/**
 * How one segment was searched, for {@link Collection#explain}.
 *
 * @param segment the segment's id
 * @param livePoints live points in the segment
 * @param strategy the strategy used ({@link SearchStrategy#EXACT} also after a fallback)
 * @param planned the strategy first chosen (differs from {@code strategy} after a fallback)
 * @param estimatedMatches the planner's estimate of the points the filter accepts (live points when unfiltered)
 * @param estimateExact whether the estimate came from payload indexes (exact) rather than sampling
 * @param fallback whether a graph search was abandoned (visit budget, or fewer than k found) for an exact scan
 * @param distanceComputations vector distances computed in the segment
 * @param payloadLinks whether the graph walk followed payload links (payload_m) of the filter's value
 */
public record SegmentPlan(long segment, long livePoints, SearchStrategy strategy, SearchStrategy planned,
    long estimatedMatches, boolean estimateExact, boolean fallback, long distanceComputations, boolean payloadLinks) {}
