package dev.lockstep.timeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON settings of the timeline package. */
final class TimelineJson {
    /**
     * Duplicate member names are refused on reading: two parsers could otherwise disagree on what a
     * signed line says.
     */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private TimelineJson() {}
}
