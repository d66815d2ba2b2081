package io.weft.codec.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values that exercise go-yaml's quoting, key order, folding and block styles. The expected
 * output, {@code src/test/resources/golden/goyaml-corpus.yaml}, was produced by real go-yaml
 * v2.4.0 (Debian's golang-gopkg-yaml.v2-dev) doing what sigs.k8s.io/yaml does for calicoctl —
 * {@code yaml.Unmarshal} of the JSON, then {@code yaml.Marshal}:
 *
 * <pre>
 * java -cp ... io.weft.codec.internal.GoYamlCorpus &gt; corpus.json
 * go run goyaml.go &lt; corpus.json &gt; goyaml-corpus.yaml   # GO111MODULE=off GOPATH=/usr/share/gocode
 * </pre>
 *
 * where goyaml.go prints {@code "### <index>\n"} and the marshalled YAML for each element.
 *
 * <p>Left out on purpose: keys such as {@code a01}, {@code a1b} next to {@code a9} and {@code a10},
 * for which go-yaml's key comparison is not transitive, so that Go's own output depends on map
 * iteration order; and U+0085 in strings, which the JSON round trip of sigs.k8s.io/yaml folds
 * into a space.
 */
final class GoYamlCorpus {

    private GoYamlCorpus() {
    }

    static List<Object> cases() {
        List<Object> cases = new ArrayList<>();
        String[] strings = {"", "true", "True", "yes", "y", "Y", "n", "no", "on", "off", "null", "Null", "~", "1234",
            "-12", "+12", "0x1F", "0o17", "017", "08", "1_000", "1e3", "1.10", ".5", ".inf", "-.inf", ".nan", "+",
            "-", "- a", "-a", "--", "---", "...", "..", ":", "a:", "a: b", "a:b", "a #b", "a#b", "#a", "@a", "`a",
            "'a", "\"a", "[a]", "a[0]", "{a}", "a,b", "?a", "? a", "a?", "!a", "&a", "*a", "|a", ">a", "%a", "a ",
            " a", "a  b", "a\tb", "a\nb", "a\n", "a\n\n", "\n", " a\nb", "a \nb", "é", "日本語", "😀", "\u00a0x",
            "x\u2028y", "\u0007bell", "2022-12-05T08:40:29Z", "2022-12-05", "2022-1-5",
            "2022-12-05 08:40:29", "2023-04-28 12:49:33.123 +0000 UTC", "12:30", "65000:10", "65000:100",
            "8000:8080", "1:20:30", "190:20:30.15", "<<", "=", "a'b", "it's", "all()", "rack == 'rack0'",
            "has(projectcalico.org/name)", "10.244.0.0/16", "fd00::/64", "66:0a:4a:c5:63:05", "k8s-pod-network.abc",
            "host:node1", "{\"a\":\"b\"}", "[1,2]", "a\\b", "back\\slash", "tab\tend", "quote\"in", "NaN", "Inf",
            "0", "00", "0.0", "-0", "1.", "1.e5", "0b101", "-0b101", "0xZZ", "1e400", "123abc", "v1.2.3",
            "1.2.3.4"};
        for (String s : strings) {
            cases.add(Map.of("v", s));
        }
        String words = "Calico programs routes and access control lists, and anything else required on the host to"
                + " provide the desired connectivity for the endpoints on that host.";
        cases.add(Map.of("description", words));
        cases.add(Map.of("a", Map.of("b", Map.of("c", words))));
        cases.add(Map.of("list", List.of(words, List.of(words))));
        cases.add(Map.of("colon", "key: " + words));
        cases.add(Map.of("tab", "tab\there " + words));
        cases.add(Map.of("spaces", words.replace(" ", "  ")));
        cases.add(Map.of("lead", " " + words));
        cases.add(Map.of("nospace", "x".repeat(120)));
        cases.add(Map.of("multi", "first line\nsecond line " + words + "\nthird\n"));
        cases.add(Map.of("kube-labels", "{\"beta.kubernetes.io/arch\":\"amd64\",\"beta.kubernetes.io/os\":\"linux\","
                + "\"kubernetes.io/arch\":\"amd64\",\"rack\":\"rack1\"}"));

        Map<String, Object> keys = new LinkedHashMap<>();
        for (String k : new String[] {"b", "a", "B", "A", "_a", "a10", "a9", "a1", "x.y", "x-y",
            "x/y", "x_y", "10.0.0.0/8", "9.0.0.0/8", "100", "20", "0", "", "é", "z", "Z", "kubernetes.io/os",
            "beta.kubernetes.io/arch", "node-role.kubernetes.io/master", "node.kubernetes.io/exclude",
            "handle_id", "handleID", "ipv4Address", "ipv4IPIPTunnelAddr", "ipv6Address", "IPv4", "true", "a: b",
            "k".repeat(129), "multi\nline"}) {
            keys.put(k, 1L);
        }
        cases.add(keys);

        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("zero", 0L);
        numbers.put("negative", -1L);
        numbers.put("big", 4294967295L);
        numbers.put("half", 1.5);
        numbers.put("whole", 100.0);
        numbers.put("huge", 1e21);
        numbers.put("tiny", 1e-7);
        numbers.put("million", 1234567.5);
        numbers.put("small", 0.0001);
        numbers.put("smaller", 0.00001);
        numbers.put("t", true);
        numbers.put("f", false);
        numbers.put("nothing", null);
        cases.add(numbers);

        Map<String, Object> shapes = new LinkedHashMap<>();
        shapes.put("emptyMap", new LinkedHashMap<>());
        shapes.put("emptyList", new ArrayList<>());
        shapes.put("listOfLists", List.of(List.of(1L, 2L), List.of(), List.of(List.of("deep"))));
        shapes.put("listOfMaps", List.of(Map.of("a", 1L, "b", List.of("x")), Map.of(), Map.of("c", Map.of())));
        shapes.put("nulls", Arrays.asList(null, 1L, null));
        shapes.put("nested", Map.of("m", Map.of("n", List.of(Map.of("o", "p")))));
        cases.add(shapes);
        cases.add(List.of(Map.of("rootList", 1L), "item"));
        return cases;
    }

    /** Prints the corpus as a JSON array, the input of the Go generator. */
    public static void main(String[] args) {
        System.out.print(GoJsonWriter.compact(cases()));
    }
}
