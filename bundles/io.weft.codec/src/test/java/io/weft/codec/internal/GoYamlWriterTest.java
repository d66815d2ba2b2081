package io.weft.codec.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The YAML writer against real go-yaml v2.4.0 output (see {@link GoYamlCorpus}). */
class GoYamlWriterTest {

    @Test
    void matchesGoYamlOnTheCorpus() {
        List<Object> cases = GoYamlCorpus.cases();
        StringBuilder actual = new StringBuilder();
        for (int i = 0; i < cases.size(); i++) {
            actual.append("### ").append(i).append('\n').append(GoYamlWriter.write(cases.get(i)));
        }
        assertEquals(SeedBlocks.resource("golden/goyaml-corpus.yaml"), actual.toString());
    }

    @Test
    void plainWhereGoYamlWouldReadItBackAsAString() {
        assertEquals(true, GoYamlWriter.canUsePlain("all()"));
        assertEquals(true, GoYamlWriter.canUsePlain("10.96.0.0/12"));
        assertEquals(false, GoYamlWriter.canUsePlain("2022-12-05T08:40:29Z"));
        assertEquals(false, GoYamlWriter.canUsePlain("65000:10"));
        assertEquals(true, GoYamlWriter.canUsePlain("65000:100"));
    }
}
