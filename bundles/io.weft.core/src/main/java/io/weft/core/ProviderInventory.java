package io.weft.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.weft.api.model.NodeNames;
import io.weft.api.bgp.PeeringTopology;
import io.weft.api.cni.CniHandler;
import io.weft.api.datastore.Datastore;
import io.weft.api.encap.EncapsulationProvider;
import io.weft.api.ipam.IpamService;
import io.weft.api.provider.WeftProvider;
import io.weft.api.resource.ResourceCodec;
import io.weft.api.resource.ResourceStore;
import io.weft.api.routing.RouteSink;
import io.weft.api.routing.RouteSource;
import io.weft.api.status.ComponentStatus;
import io.weft.api.status.Health;
import io.weft.api.status.ProviderInfo;
import io.weft.api.status.RuntimeReport;
import io.weft.api.status.RuntimeStatus;
import io.weft.api.status.SpiStatus;
import io.weft.api.status.StatusContributor;

/**
 * Knows which provider is live for every SPI. It tracks service references only, so listing a
 * provider never activates it, and it sees providers come and go as bundles are installed and
 * removed.
 */
// reads the node PID too; its metatype is declared once, on NodeRegistration
@Component(service = RuntimeStatus.class, configurationPid = NodeConfig.PID)
public class ProviderInventory implements RuntimeStatus {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<Datastore>> datastores = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<ResourceCodec>> codecs = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<ResourceStore>> resourceStores = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<IpamService>> ipams = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<EncapsulationProvider>> encapsulations = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<PeeringTopology>> topologies = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<CniHandler>> cniHandlers = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<RouteSource>> routeSources = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<ServiceReference<RouteSink>> routeSinks = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<StatusContributor> contributors = List.of();

    private final String version;
    private final String nodeName;
    private final Instant startedAt;

    @Activate
    public ProviderInventory(BundleContext context, NodeConfig config) {
        this(context.getBundle().getVersion().toString(), NodeNames.resolve(config.nodeName(), System.getenv()),
                Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()));
    }

    ProviderInventory(String version, String nodeName, Instant startedAt) {
        this.version = version;
        this.nodeName = nodeName;
        this.startedAt = startedAt;
    }

    @Override
    public RuntimeReport report() {
        List<SpiStatus> spis = List.of(
                spi("datastore", true, datastores),
                spi("resource-codec", false, codecs),
                spi("resource-store", false, resourceStores),
                spi("ipam", false, ipams),
                spi("encapsulation", false, encapsulations),
                spi("peering-topology", false, topologies),
                spi("cni", false, cniHandlers),
                spi("route-source", false, routeSources),
                spi("route-sink", false, routeSinks));
        List<ComponentStatus> components = new ArrayList<>();
        for (StatusContributor contributor : contributors) {
            try {
                components.add(contributor.status());
            } catch (RuntimeException e) {
                // one broken contributor must not hide the others
                components.add(new ComponentStatus(contributor.getClass().getSimpleName(), Health.DOWN,
                        "status failed: " + e, null));
            }
        }
        components.sort(Comparator.comparing(ComponentStatus::component));
        return new RuntimeReport(version, nodeName, startedAt, spis, components);
    }

    private static SpiStatus spi(String name, boolean required, List<? extends ServiceReference<?>> references) {
        List<ServiceReference<?>> sorted = new ArrayList<>(references);
        sorted.sort(Comparator.reverseOrder()); // highest ranking first, as consumers bind
        List<ProviderInfo> providers = new ArrayList<>();
        for (ServiceReference<?> ref : sorted) {
            Bundle bundle = ref.getBundle();
            if (bundle == null) {
                continue; // unregistered while we were looking
            }
            Object providerName = ref.getProperty(WeftProvider.PROPERTY);
            providers.add(new ProviderInfo(providerName(providerName),
                    bundle.getSymbolicName(), bundle.getVersion().toString()));
        }
        return new SpiStatus(name, required, providers);
    }

    /** The weft.provider property as operators read it: one name, or several joined ("weft, calico"). */
    static String providerName(Object property) {
        if (property == null) {
            return "(unnamed)";
        }
        if (property instanceof String[] names) {
            return String.join(", ", names);
        }
        if (property instanceof java.util.Collection<?> names) {
            return names.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
        }
        return property.toString();
    }
}
