package io.weft.ipam.block;

import java.util.Map;

import io.weft.api.model.LabelSelector;

/** IP pool node selectors, evaluated by the API's {@link LabelSelector}. */
final class NodeSelector {

    private NodeSelector() {
    }

    /** True if the selector needs the node's labels to decide. */
    static boolean needsLabels(String selector) {
        return !LabelSelector.selectsAll(selector);
    }

    static boolean matches(String selector, Map<String, String> labels) {
        return LabelSelector.matches(selector, labels);
    }
}
