package io.weft.api.model;

import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shared lookup for the enums that mirror Calico's fixed string values. */
final class WireNames {

    private WireNames() {
    }

    /**
     * Finds the constant whose wire name equals {@code text} exactly; Calico compares these
     * strings case-sensitively, so {@code always} is rejected just as calicoctl rejects it.
     */
    static <E extends Enum<E>> E parse(Class<E> type, String text, Function<E, String> wireName) {
        E[] values = type.getEnumConstants();
        for (E value : values) {
            if (wireName.apply(value).equals(text)) {
                return value;
            }
        }
        String accepted = Stream.of(values).map(wireName).collect(Collectors.joining(", "));
        String shown = text == null ? "null" : "'" + text + "'";
        throw new IllegalArgumentException(
                "unknown " + type.getSimpleName() + " " + shown + " (accepted values: " + accepted + ")");
    }
}
