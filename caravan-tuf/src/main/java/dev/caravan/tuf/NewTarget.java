package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A target file to publish: its bytes and the {@code custom} object to sign with it (for a
 * Caravan manifest: product, channel and version), or {@code null} for none.
 */
public record NewTarget(byte[] content, JsonNode custom) {

    public NewTarget {
        Objects.requireNonNull(content, "content");
        if (custom != null && !custom.isObject()) {
            throw new IllegalArgumentException("a target's custom field must be a JSON object, got " + custom.getNodeType());
        }
    }
}
