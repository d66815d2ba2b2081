#!/usr/bin/env bash
# Seed 000's IPIP lab (io.weft.agent's IpipLab: three nodes, Always then CrossSubnet) inside a
# QEMU VM booting Debian's stock kernel, because this machine's kernel has no ipip module.
#   bundles/io.weft.agent/src/test/qemu/ipip-lab.sh     (as root, from the repository root,
#                                                        after mvn install -DskipTests)
# Needs the Debian packages qemu-system-x86, linux-image-amd64 and busybox-static. KVM hangs on
# this machine, so the VM runs under TCG (software emulation): boot ~3 s, the lab a few minutes.
# The VM mounts the host's root file system read-only over 9p and runs the host's java, ip and
# ping in a chroot with fresh /proc, /sys, /dev, /run and /tmp; nothing on the host is changed
# except target/qemu-ipip (the initramfs and the console log).
set -euo pipefail
root=$(pwd)
mod=$root/bundles/io.weft.agent
[ -d "$mod/target/test-classes/io/weft/agent" ] || { echo "build first: mvn install -DskipTests" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "apt-get install qemu-system-x86" >&2; exit 1; }
busybox=$(command -v busybox) || { echo "apt-get install busybox-static" >&2; exit 1; }
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] || { echo "no Debian kernel in /boot: apt-get install linux-image-amd64" >&2; exit 1; }
kver=${kernel#/boot/vmlinuz-}
moddir=/lib/modules/$kver

work=$mod/target/qemu-ipip   # not under /tmp: the VM mounts a fresh tmpfs there
rm -rf "$work"; mkdir -p "$work/initrd/bin" "$work/initrd/mnt" "$work/initrd/modules"

cp_file=$(mktemp)
mvn -q -B -o -Dstyle.color=never -f "$mod/pom.xml" dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
CP="$mod/target/classes:$mod/target/test-classes:$(cat "$cp_file")"
rm -f "$cp_file"
java_bin=$(readlink -f "$(command -v java)")

# the modules the initramfs needs to reach the host's root: virtio PCI and 9p, with their
# dependencies first (modules.dep lists them)
order=()
add_module() {
  local m=$1 dep
  for dep in $(sed -n "s|^kernel/.*/$m\.ko: *||p" "$moddir/modules.dep"); do add_module "$(basename "$dep" .ko)"; done
  local path; path=$(sed -n "s|^\(kernel/.*/$m\.ko\):.*|\1|p" "$moddir/modules.dep")
  [[ " ${order[*]} " == *" $path "* ]] || order+=("$path")
}
for m in virtio_pci 9pnet_virtio 9p; do add_module "$m"; done
for p in "${order[@]}"; do cp "$moddir/$p" "$work/initrd/modules/"; echo "$(basename "$p")" >> "$work/initrd/modules/order"; done
cp "$busybox" "$work/initrd/bin/busybox"

cat > "$work/vm.sh" <<VM
#!/bin/bash
# runs inside the VM, chrooted into the host's root
modprobe veth; modprobe bridge; modprobe ipip
export HOME=/tmp
"$java_bin" -Djava.io.tmpdir=/tmp -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.weft.agent.IpipLab Always CrossSubnet
echo "WEFT-IPIP-EXIT=\$?"
VM
chmod +x "$work/vm.sh"

cat > "$work/initrd/init" <<INIT
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in \$(/bin/busybox cat /modules/order); do /bin/busybox insmod /modules/\$m; done
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /mnt
/bin/busybox mount -t proc proc /mnt/proc
/bin/busybox mount -t sysfs sys /mnt/sys
/bin/busybox mount -t devtmpfs dev /mnt/dev
/bin/busybox mount -t tmpfs run /mnt/run
/bin/busybox mount -t tmpfs tmp /mnt/tmp
/bin/busybox chroot /mnt /bin/bash $work/vm.sh
/bin/busybox poweroff -f
INIT
chmod +x "$work/initrd/init"
(cd "$work/initrd" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

echo "booting $kernel under TCG (this takes a few minutes)..." >&2
timeout 900 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 3072 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 panic=-1 quiet" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
    | tee "$work/console.log" | grep --line-buffered -E "IPIP |WEFT-IPIP-EXIT|Exception|Error|^  |routes" || true
grep -q "WEFT-IPIP-EXIT=0" "$work/console.log" || { echo "IPIP lab failed; console: $work/console.log" >&2; exit 1; }
echo "IPIP lab passed in the VM (console: $work/console.log)"
