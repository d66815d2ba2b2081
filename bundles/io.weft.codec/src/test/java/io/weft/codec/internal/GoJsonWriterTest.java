package io.weft.codec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Expected strings are what Go's encoding/json prints for the same values. */
class GoJsonWriterTest {

    @Test
    void indentsLikeMarshalIndent() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("kind", "IPPool");
        root.put("list", List.of(1L, "a"));
        root.put("empty", new LinkedHashMap<>());
        root.put("none", new ArrayList<>());
        root.put("nested", Map.of("x", true));
        assertEquals("{\n  \"kind\": \"IPPool\",\n  \"list\": [\n    1,\n    \"a\"\n  ],\n  \"empty\": {},\n"
                + "  \"none\": [],\n  \"nested\": {\n    \"x\": true\n  }\n}", GoJsonWriter.indented(root));
        assertEquals("{\"kind\":\"IPPool\",\"list\":[1,\"a\"],\"empty\":{},\"none\":[],\"nested\":{\"x\":true}}",
                GoJsonWriter.compact(root));
        assertEquals("[null,0]", GoJsonWriter.compact(Arrays.asList(null, 0L)));
    }

    @Test
    void escapesHtmlAndControlCharactersAsGoDoes() {
        assertEquals("\"a \\u0026\\u0026 b \\u003c\\u003e \\\"q\\\" \\\\ \\n\\t\\u0001 \\u2028 é\"",
                GoJsonWriter.compact("a && b <> \"q\" \\ \n\t\u0001 \u2028 é"));
    }

    @Test
    void stringsWithNothingToEscapeAreCopiedAsTheyAre() {
        assertEquals("\"k8s-pod-network.0a1b\"", GoJsonWriter.compact("k8s-pod-network.0a1b"));
        assertEquals("\"pod-é-1\"", GoJsonWriter.compact("pod-é-1"));
        assertEquals("\"\"", GoJsonWriter.compact(""));
    }

    @Test
    void floatsLikeGo() {
        assertEquals("100", GoJsonWriter.goFloat(100.0));
        assertEquals("1.5", GoJsonWriter.goFloat(1.5));
        assertEquals("0.000001", GoJsonWriter.goFloat(1e-6));
        assertEquals("1e-7", GoJsonWriter.goFloat(1e-7));
        assertEquals("1e+21", GoJsonWriter.goFloat(1e21));
        assertEquals("123456789012345680000", GoJsonWriter.goFloat(1.2345678901234568e20));
        assertEquals("-2.5", GoJsonWriter.goFloat(-2.5));
    }
}
