// lumberjack-writer writes kube-apiserver-style audit events through
// gopkg.in/natefinch/lumberjack.v2, the rotation library the apiserver uses,
// so Tailship's tests see real rename + compress rotation.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"
)

func main() {
	path := flag.String("path", "", "log file")
	events := flag.Int("events", 1000, "events to write")
	start := flag.Int("start", 0, "number of the first event")
	maxSize := flag.Int("maxsize", 1, "MiB before rotation (lumberjack MaxSize)")
	backups := flag.Int("backups", 5, "backups kept (MaxBackups)")
	compress := flag.Bool("compress", true, "gzip backups (Compress)")
	rate := flag.Int("rate", 0, "events per second, 0 for as fast as possible")
	prefix := flag.String("prefix", "ev", "auditID prefix")
	settle := flag.Duration("settle", 500*time.Millisecond, "wait at the end so background compression finishes")
	flag.Parse()
	if *path == "" {
		fmt.Fprintln(os.Stderr, "lumberjack-writer: -path is required")
		os.Exit(2)
	}
	logger := &lumberjack.Logger{Filename: *path, MaxSize: *maxSize, MaxBackups: *backups, Compress: *compress}
	// Sleeping per event cannot go below the timer's resolution: pace in steps of 100 events.
	const step = 100
	var pause time.Duration
	if *rate > 0 {
		pause = time.Second * step / time.Duration(*rate)
	}
	began := time.Now()
	verbs := []string{"get", "list", "watch", "update", "create", "patch", "delete"}
	resources := []string{"pods", "configmaps", "leases", "events", "nodes", "secrets", "deployments"}
	written := 0
	for i := *start; i < *start+*events; i++ {
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		verb := verbs[i%len(verbs)]
		res := resources[(i/7)%len(resources)]
		line := fmt.Sprintf(`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"%s-%08d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/%s/x-%d","verb":"%s","user":{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["10.0.0.%d"],"userAgent":"kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46","objectRef":{"resource":"%s","namespace":"default","name":"x-%d","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"%s","stageTimestamp":"%s","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding"}}`+"\n",
			*prefix, i, res, i, verb, i%250+1, res, i, now, now)
		written += len(line)
		if _, err := logger.Write([]byte(line)); err != nil {
			fmt.Fprintln(os.Stderr, "lumberjack-writer:", err)
			os.Exit(1)
		}
		if pause > 0 && (i-*start+1)%step == 0 {
			due := began.Add(pause * time.Duration((i-*start+1)/step))
			time.Sleep(time.Until(due))
		}
	}
	logger.Close()
	time.Sleep(*settle)
	fmt.Printf("written %d events, %d bytes\n", *events, written)
}
