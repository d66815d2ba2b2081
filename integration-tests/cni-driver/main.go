// cni-driver drives a CNI network configuration list through libcni, the library containerd and
// CRI-O use, so tests and benchmarks call CNI plugins (Weft's shim among them) exactly as a
// container runtime does: same environment, same stdin (name, cniVersion, prevResult,
// runtimeConfig injected by libcni), same result cache in the cache dir.
//
// Build (offline, Debian golang-go + golang-github-appc-cni-dev):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o cni-driver .
//
// Debian ships libcni 1.1.2, which speaks CNI up to 1.0.0: ADD, CHECK and DEL need a conflist
// with cniVersion <= 1.0.0. STATUS and GC arrived with CNI 1.1.0 (libcni 1.2); this driver issues
// them itself the way libcni 1.2 does (see statusNetworkList and gcNetworkList), and
// -spec-version 1.1.0 sends them for a 1.0.0 conflist, which libcni 1.2 would not do.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

const usage = `usage: cni-driver [flags] VERB ARGS
  add|check|del <conflist> <containerID> <netnsPath> [ifname]   (ifname defaults to eth0)
  status <conflist>
  gc <conflist> [validContainerID[/ifname] ...]    (the attachments the runtime still wants)
  bench <conflist>                                 (-seq N sequential and -par M parallel pods)
  time-exec <count> <program> [args...]            (execs program count times, stdin from -stdin)
  stub-runtime <socket> <reply-file>               (benchmarks only: answers every shim request
                                                   with exit 0 and the file as stdout, until killed)
ADD prints the result JSON. A failure prints the CNI error JSON (when the plugin returned one)
on stdout, the message on stderr, and exits 1; bad usage exits 2.
flags:
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

var (
	pluginPath   = flag.String("path", envOr("CNI_PATH", "/opt/cni/bin"), "plugin directories, colon-separated (env CNI_PATH)")
	cacheDir     = flag.String("cache-dir", libcni.CacheDir, "libcni's result cache (containerd: /var/lib/cni)")
	k8sNamespace = flag.String("k8s-namespace", "", "K8S_POD_NAMESPACE in CNI_ARGS")
	k8sPod       = flag.String("k8s-pod", "", "K8S_POD_NAME in CNI_ARGS")
	k8sPodUID    = flag.String("k8s-pod-uid", "", "K8S_POD_UID in CNI_ARGS")
	k8sInfraID   = flag.String("k8s-infra-container-id", "", "K8S_POD_INFRA_CONTAINER_ID (default: the container ID when a pod is named)")
	extraArgs    = flag.String("args", "", "more CNI_ARGS, KEY=VALUE;KEY=VALUE")
	timeout      = flag.Duration("timeout", 5*time.Minute, "per-verb deadline")
	specVersion  = flag.String("spec-version", "", "cniVersion for STATUS and GC (default: the conflist's); as in libcni 1.2, below 1.1.0 STATUS does nothing and GC only DELs stale cached attachments")
	seqPods      = flag.Int("seq", 200, "bench: pods added then deleted one at a time")
	parPods      = flag.Int("par", 20, "bench: pods added (then deleted) at the same time")
	parRounds    = flag.Int("rounds", 3, "bench: how many times the parallel phase runs")
	stdinFile    = flag.String("stdin", "", "time-exec: file fed to the program's stdin")
	capArgs      multiFlag
)

func main() {
	flag.Var(&capArgs, "cap", "capability argument NAME=JSON for runtimeConfig, e.g. portMappings='[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]' (repeatable)")
	flag.Usage = func() { fmt.Fprint(os.Stderr, usage); flag.PrintDefaults() }
	flag.Parse()
	args := flag.Args()
	if len(args) < 2 {
		flag.Usage()
		os.Exit(2)
	}
	verb := args[0]
	if verb == "time-exec" {
		os.Exit(timeExec(args[1:]))
	}
	if verb == "stub-runtime" {
		if len(args) != 3 {
			usageError("stub-runtime needs <socket> <reply-file>")
		}
		exitOnError("stub-runtime", stubRuntime(args[1], args[2]))
		return
	}
	list, err := libcni.ConfListFromFile(args[1])
	if err != nil {
		usageError("cannot read the network configuration list %s: %v", args[1], err)
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(*pluginPath), *cacheDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	switch verb {
	case "add", "check", "del":
		if len(args) < 4 || len(args) > 5 {
			usageError("%s needs <conflist> <containerID> <netnsPath> [ifname]", verb)
		}
		ifName := "eth0"
		if len(args) == 5 {
			ifName = args[4]
		}
		rt, err := runtimeConf(args[2], args[3], ifName)
		if err != nil {
			usageError("%v", err)
		}
		if verb != "add" && rt.Args == nil && rt.CapabilityArgs == nil {
			// A runtime passes CHECK and DEL the CNI_ARGS and capability arguments it passed to
			// ADD; without flags saying otherwise, take them from libcni's cache of that ADD.
			if _, cached, err := cni.GetNetworkListCachedConfig(list, rt); err == nil && cached != nil {
				rt = cached
			}
		}
		switch verb {
		case "add":
			result, err := cni.AddNetworkList(ctx, list, rt)
			exitOnError("add", err)
			exitOnError("add", cacheNetns(list, rt))
			exitOnError("add", result.Print())
		case "check":
			exitOnError("check", cni.CheckNetworkList(ctx, list, rt))
		case "del":
			exitOnError("del", cni.DelNetworkList(ctx, list, rt))
		}
	case "status":
		exitOnError("status", statusNetworkList(ctx, cni, list))
	case "gc":
		exitOnError("gc", gcNetworkList(ctx, cni, list, args[2:]))
	case "bench":
		exitOnError("bench", bench(ctx, cni, list))
	default:
		usageError("unknown verb %q", verb)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func usageError(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "cni-driver: "+format+"\n", a...)
	fmt.Fprintln(os.Stderr, "run cni-driver -h for the usage")
	os.Exit(2)
}

// exitOnError prints a plugin's CNI error as JSON on stdout (so callers can assert its code and
// message) and the whole wrapped message on stderr.
func exitOnError(verb string, err error) {
	if err == nil {
		return
	}
	var cniErr *types.Error
	if errors.As(err, &cniErr) {
		_ = cniErr.Print()
	}
	fmt.Fprintf(os.Stderr, "cni-driver: %s: %v\n", verb, err)
	os.Exit(1)
}

// runtimeConf builds what containerd's CRI plugin passes: K8S_* CNI_ARGS with IgnoreUnknown, and
// the capability arguments libcni filters by each plugin's "capabilities".
func runtimeConf(containerID, netns, ifName string) (*libcni.RuntimeConf, error) {
	rt := &libcni.RuntimeConf{ContainerID: containerID, NetNS: netns, IfName: ifName}
	if *k8sNamespace != "" || *k8sPod != "" {
		infra := *k8sInfraID
		if infra == "" {
			infra = containerID
		}
		rt.Args = [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", *k8sNamespace},
			{"K8S_POD_NAME", *k8sPod}, {"K8S_POD_INFRA_CONTAINER_ID", infra}}
		if *k8sPodUID != "" {
			rt.Args = append(rt.Args, [2]string{"K8S_POD_UID", *k8sPodUID})
		}
	}
	if *extraArgs != "" {
		for _, kv := range strings.Split(*extraArgs, ";") {
			parts := strings.SplitN(kv, "=", 2)
			if len(parts) != 2 || parts[0] == "" {
				return nil, fmt.Errorf("-args: %q is not KEY=VALUE", kv)
			}
			rt.Args = append(rt.Args, [2]string{parts[0], parts[1]})
		}
	}
	for _, c := range capArgs {
		parts := strings.SplitN(c, "=", 2)
		var value interface{}
		if len(parts) != 2 {
			return nil, fmt.Errorf("-cap: %q is not NAME=JSON", c)
		}
		if err := json.Unmarshal([]byte(parts[1]), &value); err != nil {
			return nil, fmt.Errorf("-cap %s: the value is not JSON: %v", parts[0], err)
		}
		if rt.CapabilityArgs == nil {
			rt.CapabilityArgs = map[string]interface{}{}
		}
		rt.CapabilityArgs[parts[0]] = value
	}
	return rt, nil
}

// commandOnly is the environment libcni 1.2 gives STATUS and GC: a command and the plugin path,
// no container, netns or interface.
type commandOnly struct{ command, path string }

func (c commandOnly) AsEnv() []string {
	return (&invoke.Args{Command: c.command, Path: c.path}).AsEnv()
}

// pluginConfig is one plugin's stdin for STATUS and GC: its own entry of the list with the
// list's name and the 1.1.0 cniVersion injected (plus, for GC, the valid attachments).
func pluginConfig(list *libcni.NetworkConfigList, plugin *libcni.NetworkConfig, extra map[string]interface{}) ([]byte, error) {
	inject := map[string]interface{}{"name": list.Name, "cniVersion": commandVersion(list)}
	for k, v := range extra {
		inject[k] = v
	}
	conf, err := libcni.InjectConf(plugin, inject)
	if err != nil {
		return nil, err
	}
	return conf.Bytes, nil
}

func execCommand(ctx context.Context, cni *libcni.CNIConfig, command string, plugin *libcni.NetworkConfig, stdin []byte) error {
	binary, err := invoke.FindInPath(plugin.Network.Type, cni.Path)
	if err != nil {
		return err
	}
	args := commandOnly{command: command, path: strings.Join(cni.Path, string(os.PathListSeparator))}
	return invoke.ExecPluginWithoutResult(ctx, binary, stdin, args, nil)
}

// commandVersion is the cniVersion STATUS and GC are sent with.
func commandVersion(list *libcni.NetworkConfigList) string {
	if *specVersion != "" {
		return *specVersion
	}
	return list.CNIVersion
}

// speaks11 says whether the plugins are to get STATUS and GC at all (CNI 1.1.0 and later).
func speaks11(list *libcni.NetworkConfigList) (bool, error) {
	return version.GreaterThanOrEqualTo(commandVersion(list), "1.1.0")
}

// statusNetworkList asks each plugin in order whether it can take ADDs; the first error stops
// it, as in libcni 1.2's GetStatusNetworkList.
func statusNetworkList(ctx context.Context, cni *libcni.CNIConfig, list *libcni.NetworkConfigList) error {
	if ok, err := speaks11(list); !ok || err != nil {
		return err
	}
	for _, plugin := range list.Plugins {
		stdin, err := pluginConfig(list, plugin, nil)
		if err != nil {
			return err
		}
		if err := execCommand(ctx, cni, "STATUS", plugin, stdin); err != nil {
			return fmt.Errorf("plugin %s failed (status): %w", plugin.Network.Type, err)
		}
	}
	return nil
}

type attachment struct {
	ContainerID string `json:"containerID"`
	IfName      string `json:"ifname"`
}

// gcNetworkList does what libcni 1.2's GCNetworkList does: DEL every attachment of this network
// in the result cache that is not in the valid list, then GC each plugin with the valid list in
// "cni.dev/valid-attachments". Errors are collected, not fatal. (libcni 1.1.2's cache does not
// record the netns, so those DELs carry an empty CNI_NETNS.)
func gcNetworkList(ctx context.Context, cni *libcni.CNIConfig, list *libcni.NetworkConfigList, validArgs []string) error {
	valid := []attachment{}
	isValid := map[attachment]bool{}
	for _, v := range validArgs {
		a := attachment{ContainerID: v, IfName: "eth0"}
		if i := strings.LastIndex(v, "/"); i >= 0 {
			a = attachment{ContainerID: v[:i], IfName: v[i+1:]}
		}
		valid = append(valid, a)
		isValid[a] = true
	}
	var errs []string
	files, _ := filepath.Glob(filepath.Join(*cacheDir, "results", "*"))
	for _, file := range files {
		var cached struct {
			ContainerID    string                 `json:"containerId"`
			IfName         string                 `json:"ifName"`
			NetworkName    string                 `json:"networkName"`
			NetNS          string                 `json:"netns"`
			CniArgs        [][2]string            `json:"cniArgs"`
			CapabilityArgs map[string]interface{} `json:"capabilityArgs"`
		}
		bytes, err := ioutil.ReadFile(file)
		if err != nil || json.Unmarshal(bytes, &cached) != nil || cached.NetworkName != list.Name {
			continue
		}
		if isValid[attachment{cached.ContainerID, cached.IfName}] {
			continue
		}
		rt := &libcni.RuntimeConf{ContainerID: cached.ContainerID, NetNS: cached.NetNS, IfName: cached.IfName,
			Args: cached.CniArgs, CapabilityArgs: cached.CapabilityArgs}
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			errs = append(errs, fmt.Sprintf("failed to delete stale attachment %s %s: %v", cached.ContainerID, cached.IfName, err))
		}
	}
	var firstCniErr error
	plugins := list.Plugins
	if ok, err := speaks11(list); err != nil {
		return err
	} else if !ok {
		plugins = nil
	}
	for _, plugin := range plugins {
		stdin, err := pluginConfig(list, plugin, map[string]interface{}{"cni.dev/valid-attachments": valid})
		if err == nil {
			err = execCommand(ctx, cni, "GC", plugin, stdin)
		}
		if err != nil {
			if firstCniErr == nil {
				firstCniErr = err
			}
			errs = append(errs, fmt.Sprintf("plugin %s failed (gc): %v", plugin.Network.Type, err))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	joined := errors.New(strings.Join(errs, "; "))
	if firstCniErr != nil {
		return fmt.Errorf("%w (all: %v)", firstCniErr, joined)
	}
	return joined
}

// cacheNetns adds the netns to libcni 1.1.2's cache entry of an ADD, as libcni 1.2 records it
// ("netns"), so a later GC can DEL a stale attachment inside its namespace. libcni 1.1.2 ignores
// the extra field when it reads the entry back.
func cacheNetns(list *libcni.NetworkConfigList, rt *libcni.RuntimeConf) error {
	file := filepath.Join(*cacheDir, "results", fmt.Sprintf("%s-%s-%s", list.Name, rt.ContainerID, rt.IfName))
	bytes, err := ioutil.ReadFile(file)
	if err != nil {
		return err
	}
	var entry map[string]interface{}
	if err := json.Unmarshal(bytes, &entry); err != nil {
		return fmt.Errorf("libcni's cache entry %s: %v", file, err)
	}
	entry["netns"] = rt.NetNS
	if bytes, err = json.Marshal(entry); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := ioutil.WriteFile(tmp, bytes, 0600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// ---- bench ----

type pod struct{ id, netns string }

func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// percentile uses the nearest rank: p99 of 200 samples is the 198th smallest.
func percentile(samples []float64, p float64) float64 {
	if len(samples) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	if rank < 0 {
		rank = 0
	}
	return s[rank]
}

func ipNetns(verb, name string) error {
	out, err := exec.Command("ip", "netns", verb, name).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip netns %s %s: %v: %s", verb, name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// bench adds then deletes -seq pods one at a time, then -rounds times adds -par pods at once and
// deletes them at once, timing every libcni call. Namespaces are made before and removed after
// the timed calls. Any failed call ends the run with an error (after cleaning up).
func bench(ctx context.Context, cni *libcni.CNIConfig, list *libcni.NetworkConfigList) error {
	prefix := fmt.Sprintf("cnibench-%d-", os.Getpid())
	var created []pod
	defer func() {
		for _, p := range created {
			_ = cni.DelNetworkList(context.Background(), list, &libcni.RuntimeConf{ContainerID: p.id, NetNS: p.netns, IfName: "eth0"})
			_ = ipNetns("delete", filepath.Base(p.netns))
		}
	}()
	makePods := func(n int, tag string) ([]pod, error) {
		pods := make([]pod, n)
		for i := range pods {
			name := fmt.Sprintf("%s%s%d", prefix, tag, i)
			if err := ipNetns("add", name); err != nil {
				return nil, err
			}
			pods[i] = pod{id: fmt.Sprintf("bench%s%d%d", tag, os.Getpid(), i), netns: "/var/run/netns/" + name}
			created = append(created, pods[i])
		}
		return pods, nil
	}
	forget := func(pods []pod) {
		for _, p := range pods {
			_ = ipNetns("delete", filepath.Base(p.netns))
		}
		created = created[:0]
	}
	rtOf := func(p pod) *libcni.RuntimeConf {
		return &libcni.RuntimeConf{ContainerID: p.id, NetNS: p.netns, IfName: "eth0",
			Args: [][2]string{{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "bench"},
				{"K8S_POD_NAME", p.id}, {"K8S_POD_INFRA_CONTAINER_ID", p.id}}}
	}
	timed := func(p pod, add bool) (float64, error) {
		start := time.Now()
		var err error
		if add {
			var result types.Result
			result, err = cni.AddNetworkList(ctx, list, rtOf(p))
			if err == nil && result == nil {
				err = errors.New("no result")
			}
		} else {
			err = cni.DelNetworkList(ctx, list, rtOf(p))
		}
		if err != nil {
			verb := map[bool]string{true: "add", false: "del"}[add]
			return 0, fmt.Errorf("%s of pod %s: %w", verb, p.id, err)
		}
		return millis(time.Since(start)), nil
	}

	var seqAdd, seqDel, parAdd, parDel []float64
	pods, err := makePods(*seqPods, "s")
	if err != nil {
		return err
	}
	for _, p := range pods {
		ms, err := timed(p, true)
		if err != nil {
			return err
		}
		seqAdd = append(seqAdd, ms)
	}
	for _, p := range pods {
		ms, err := timed(p, false)
		if err != nil {
			return err
		}
		seqDel = append(seqDel, ms)
	}
	forget(pods)

	parallel := func(pods []pod, add bool) ([]float64, error) {
		out := make([]float64, len(pods))
		errs := make([]error, len(pods))
		var wg sync.WaitGroup
		for i := range pods {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				out[i], errs[i] = timed(pods[i], add)
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for round := 0; round < *parRounds; round++ {
		pods, err := makePods(*parPods, fmt.Sprintf("p%d-", round))
		if err != nil {
			return err
		}
		ms, err := parallel(pods, true)
		if err != nil {
			return err
		}
		parAdd = append(parAdd, ms...)
		ms, err = parallel(pods, false)
		if err != nil {
			return err
		}
		parDel = append(parDel, ms...)
		forget(pods)
	}
	fmt.Printf("cni-driver bench: seq_pods=%d par_pods=%d rounds=%d seq_add_p50_ms=%.2f seq_add_p99_ms=%.2f seq_del_p50_ms=%.2f seq_del_p99_ms=%.2f par_add_p50_ms=%.2f par_add_p99_ms=%.2f par_del_p50_ms=%.2f par_del_p99_ms=%.2f\n",
		*seqPods, *parPods, *parRounds,
		percentile(seqAdd, 50), percentile(seqAdd, 99), percentile(seqDel, 50), percentile(seqDel, 99),
		percentile(parAdd, 50), percentile(parAdd, 99), percentile(parDel, 50), percentile(parDel, 99))
	return nil
}

// timeExec runs a program count times (environment inherited, stdin from -stdin) and prints the
// p50/p99 wall time of one run, so a benchmark can time an exec without a shell in the way.
// Every run must exit 0.
func timeExec(args []string) int {
	var count int
	if len(args) < 2 {
		usageError("time-exec needs <count> <program> [args...]")
	}
	if _, err := fmt.Sscanf(args[0], "%d", &count); err != nil || count < 1 {
		usageError("time-exec: count %q is not a positive number", args[0])
	}
	var stdin []byte
	if *stdinFile != "" {
		var err error
		if stdin, err = ioutil.ReadFile(*stdinFile); err != nil {
			usageError("time-exec: %v", err)
		}
	}
	samples := make([]float64, 0, count)
	for i := 0; i < count; i++ {
		cmd := exec.Command(args[1], args[2:]...)
		cmd.Stdin = strings.NewReader(string(stdin))
		start := time.Now()
		out, err := cmd.Output()
		elapsed := time.Since(start)
		if err != nil {
			fmt.Fprintf(os.Stderr, "cni-driver: time-exec: run %d of %s failed: %v; stdout: %s\n", i+1, args[1], err, out)
			return 1
		}
		samples = append(samples, millis(elapsed))
	}
	fmt.Printf("cni-driver time-exec: runs=%d p50_ms=%.3f p99_ms=%.3f\n", count, percentile(samples, 50), percentile(samples, 99))
	return 0
}

// stubRuntime speaks the node runtime's side of the shim protocol with no work behind it, so a
// benchmark can time the shim itself (exec, connect, forward, relay). Each connection: read the
// request to the shim's half-close, check the magic, answer exit 0, the reply file, no stderr.
func stubRuntime(socket, replyFile string) error {
	stdout, err := ioutil.ReadFile(replyFile)
	if err != nil {
		return err
	}
	reply := make([]byte, 0, 12+len(stdout))
	reply = binary.BigEndian.AppendUint32(reply, 0)
	reply = binary.BigEndian.AppendUint32(reply, uint32(len(stdout)))
	reply = append(reply, stdout...)
	reply = binary.BigEndian.AppendUint32(reply, 0)
	_ = os.Remove(socket)
	listener, err := net.Listen("unix", socket)
	if err != nil {
		return err
	}
	if err := os.Chmod(socket, 0600); err != nil {
		return err
	}
	for {
		conn, err := listener.Accept()
		if err != nil {
			return err
		}
		go func(conn net.Conn) {
			defer conn.Close()
			request, err := io.ReadAll(conn)
			if err != nil || len(request) < 4 || binary.BigEndian.Uint32(request) != 0x57434E31 {
				fmt.Fprintf(os.Stderr, "cni-driver: stub-runtime: not a shim request (%d bytes, %v)\n", len(request), err)
				return
			}
			_, _ = conn.Write(reply)
		}(conn)
	}
}
