// A seccomp agent built as runc's reference agent (runc's
// contrib/cmd/seccompagent) is: the listener arrives with one recvmsg into
// 4096 bytes, whose one control message must hold exactly one descriptor,
// and the JSON is decoded into runtime-spec's own ContainerProcessState, the
// descriptor found by the name specs.SeccompFdName.  Notifications are then
// read and answered with libseccomp-golang.  The test suite runs it to show
// that such an agent works with autoseccomp unchanged.
//
//	go-agent SOCKET LOG
//
// mkdir and mkdirat fail with ENOMEDIUM, getppid returns 4242, anything else
// continues.  LOG gets the decoded state as JSON, then one line a call.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"

	"github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

const messageSize = 4096

var logFile *os.File

func logf(format string, args ...interface{}) {
	fmt.Fprintf(logFile, format+"\n", args...)
}

// receive reads the one message of a connection as runc's agent does.
func receive(conn *net.UnixConn) (libseccomp.ScmpFd, *specs.ContainerProcessState, error) {
	file, err := conn.File()
	if err != nil {
		return 0, nil, err
	}
	defer file.Close()
	buf := make([]byte, messageSize)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(int(file.Fd()), buf, oob, 0)
	if err != nil {
		return 0, nil, err
	}
	if n >= messageSize || oobn != len(oob) {
		return 0, nil, fmt.Errorf("message of %d bytes with %d of control data", n, oobn)
	}
	scms, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(scms) != 1 {
		return 0, nil, fmt.Errorf("control messages: %v (%d)", err, len(scms))
	}
	fds, err := unix.ParseUnixRights(&scms[0])
	if err != nil {
		return 0, nil, err
	}
	state := &specs.ContainerProcessState{}
	if err := json.Unmarshal(buf[:n], state); err != nil {
		return 0, nil, fmt.Errorf("cannot decode the state: %w", err)
	}
	index := -1
	for i, name := range state.Fds {
		if name == specs.SeccompFdName {
			if index >= 0 {
				return 0, nil, fmt.Errorf("%s named twice", specs.SeccompFdName)
			}
			index = i
		}
	}
	if index < 0 || index >= len(fds) {
		return 0, nil, fmt.Errorf("no %s among %v", specs.SeccompFdName, state.Fds)
	}
	for i, fd := range fds {
		if i != index {
			unix.Close(fd)
		}
	}
	return libseccomp.ScmpFd(fds[index]), state, nil
}

func serve(fd libseccomp.ScmpFd) {
	defer unix.Close(int(fd))
	for {
		req, err := libseccomp.NotifReceive(fd)
		if err == unix.ENOENT || err == unix.EINTR {
			continue
		}
		if err != nil {
			return // every process under the filter has gone
		}
		name, _ := req.Data.Syscall.GetNameByArch(req.Data.Arch)
		resp := &libseccomp.ScmpNotifResp{ID: req.ID, Flags: libseccomp.NotifRespFlagContinue}
		switch name {
		case "mkdir", "mkdirat":
			// libseccomp-golang negates the errno, as runc's agent relies on.
			resp.Error, resp.Val, resp.Flags = int32(unix.ENOMEDIUM), ^uint64(0), 0
		case "getppid":
			resp.Val, resp.Flags = 4242, 0
		}
		logf("%d %s", req.Pid, name)
		if libseccomp.NotifIDValid(fd, req.ID) == nil {
			libseccomp.NotifRespond(fd, resp)
		}
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-agent SOCKET LOG")
		os.Exit(2)
	}
	var err error
	if logFile, err = os.OpenFile(os.Args[2], os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Bound aside and renamed into place once listening: whoever finds the
	// path can connect.
	aside := os.Args[1] + ".new"
	os.Remove(aside)
	listener, err := net.Listen("unix", aside)
	if err == nil {
		err = os.Rename(aside, os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for {
		conn, err := listener.Accept()
		if err != nil {
			continue
		}
		fd, state, err := receive(conn.(*net.UnixConn))
		conn.Close()
		if err != nil {
			logf("refused: %v", err)
			continue
		}
		decoded, _ := json.Marshal(state)
		logf("%s", decoded)
		go serve(fd)
	}
}
