package io.weft.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.weft.netlink.Netns;

class AgentSettingsTest {

    /** Config Admin's view: the annotation's defaults, overridden by {@code values}. */
    private static AgentConfig config(Map<String, Object> values) {
        return (AgentConfig) Proxy.newProxyInstance(AgentConfig.class.getClassLoader(), new Class<?>[] {AgentConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue());
    }

    @Test
    void configWinsThenCalicosEnvironmentVariables() {
        AgentSettings fromEnv = AgentSettings.from(config(Map.of()),
                Map.of("NODENAME", "worker1", "IP_AUTODETECTION_METHOD", "interface=ens.*"));
        assertEquals("worker1", fromEnv.nodeName());
        assertEquals("interface=ens.*", fromEnv.autodetection().toString());
        assertEquals(Duration.ofSeconds(90), fromEnv.resyncInterval());
        assertEquals(80, fromEnv.routeProtocol());
        assertEquals(9099, fromEnv.healthPort());
        assertEquals(Netns.current(), fromEnv.netns());

        AgentSettings configured = AgentSettings.from(config(Map.of("nodeName", "n7", "ipAutodetectionMethod",
                "cidr=10.0.0.0/8", "hostNetns", "lab-n7", "resyncIntervalSeconds", 5)), Map.of("NODENAME", "ignored"));
        assertEquals("n7", configured.nodeName());
        assertEquals("cidr=10.0.0.0/8", configured.autodetection().toString());
        assertEquals(Netns.named("lab-n7"), configured.netns());
        assertEquals(Duration.ofSeconds(5), configured.resyncInterval());
    }

    @Test
    void badSettingsSayWhatIsWrong() {
        assertEquals("resyncIntervalSeconds must be positive, was 0", assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.from(config(Map.of("nodeName", "n", "resyncIntervalSeconds", 0)), Map.of()))
                .getMessage());
        assertEquals("routeProtocol must be 1-255, was 300", assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.from(config(Map.of("nodeName", "n", "routeProtocol", 300)), Map.of())).getMessage());
        assertEquals("healthPort must be 0-65535 (0: off), was 70000", assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.from(config(Map.of("nodeName", "n", "healthPort", 70000)), Map.of())).getMessage());
        assertEquals("IP autodetection method 'nic=eth0' is not known; use first-found, interface=REGEX,"
                + " skip-interface=REGEX, can-reach=DESTINATION or cidr=CIDR", assertThrows(IllegalArgumentException.class,
                () -> AgentSettings.from(config(Map.of("nodeName", "n")), Map.of("IP_AUTODETECTION_METHOD", "nic=eth0")))
                .getMessage());
    }
}
