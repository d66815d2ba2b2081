package io.weft.ipam.block;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.weft.api.datastore.Datastore;
import io.weft.datastore.etcd.EtcdServer;

/** {@link TunnelAddressTest} against a real etcd through the etcd datastore (skipped, loudly, without etcd-server). */
class EtcdTunnelAddressTest extends TunnelAddressTest {

    @RegisterExtension
    final EtcdServer etcd = new EtcdServer();

    @Override
    Datastore open() {
        return Fixture.etcd(etcd.clientUrl());
    }
}
