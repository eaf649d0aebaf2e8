package io.warpstats.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The posts with the most recent activity seen by this node, bounded to {@link #CAPACITY} entries. */
final class HotPosts {
    static final int CAPACITY = 2048;
    private final Map<String, Long> scores = new HashMap<>();

    synchronized void touch(String postId) {
        Long prev = scores.get(postId);
        if (prev == null && scores.size() >= CAPACITY) {
            String coldest = null;
            long min = Long.MAX_VALUE;
            for (Map.Entry<String, Long> e : scores.entrySet()) {
                if (e.getValue() < min) {
                    min = e.getValue();
                    coldest = e.getKey();
                }
            }
            scores.remove(coldest);
        }
        scores.merge(postId, 1L, Long::sum);
    }

    /** Up to {@code n} posts, most touched first. */
    synchronized List<String> top(int n) {
        List<Map.Entry<String, Long>> all = new ArrayList<>(scores.entrySet());
        all.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, all.size()); i++) {
            out.add(all.get(i).getKey());
        }
        return out;
    }
}
