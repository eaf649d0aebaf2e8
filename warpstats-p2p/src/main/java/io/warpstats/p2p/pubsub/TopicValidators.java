package io.warpstats.p2p.pubsub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The validators of each topic and how their verdicts combine: the first REJECT wins; otherwise
 * any IGNORE (or a validator that throws or answers {@code null}) gives IGNORE; otherwise ACCEPT.
 * Not thread-safe: the router's thread only.
 */
final class TopicValidators {
    private final Map<String, List<Validator>> byTopic = new HashMap<>();

    void add(String topic, Validator v) { byTopic.computeIfAbsent(topic, k -> new ArrayList<>()).add(v); }

    ValidationResult validate(PubSubMessage pm) {
        ValidationResult result = ValidationResult.ACCEPT;
        for (Validator v : byTopic.getOrDefault(pm.topic(), List.of())) {
            ValidationResult r;
            try {
                r = v.validate(pm);
            } catch (RuntimeException e) {
                r = ValidationResult.IGNORE;
            }
            if (r == ValidationResult.REJECT) return r;
            if (r == ValidationResult.IGNORE || r == null) result = ValidationResult.IGNORE;
        }
        return result;
    }
}
