// Command go-decode reads a seccomp profile as Docker reads it: Go's
// encoding/json decoding into Docker's profile types (moby/profiles
// seccomp.go, whose rules are pointers, and runtime-spec's LinuxSyscall it
// embeds, whose arguments are values), plus the two string fields of Podman's format that
// autoseccomp also reads, then the few whole-profile checks Docker makes
// and autoseccomp mirrors.  It prints one line of canonical JSON, which
// tests/profile-decode.c prints for autoseccomp's own reading, so that a
// test can compare the two byte for byte.
//
// Standard library only: it is built offline, by `go build` of this file.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type Seccomp struct {
	DefaultAction    string         `json:"defaultAction"`
	DefaultErrnoRet  *uint          `json:"defaultErrnoRet,omitempty"`
	DefaultErrno     string         `json:"defaultErrno,omitempty"` // Podman
	Architectures    []string       `json:"architectures,omitempty"`
	ArchMap          []Architecture `json:"archMap,omitempty"`
	Syscalls         []*Syscall     `json:"syscalls"`
	Flags            []string       `json:"flags,omitempty"`
	ListenerPath     string         `json:"listenerPath,omitempty"`
	ListenerMetadata string         `json:"listenerMetadata,omitempty"`
}

type Architecture struct {
	Arch      string   `json:"architecture"`
	SubArches []string `json:"subArchitectures"`
}

type Syscall struct {
	Name     string   `json:"name,omitempty"`
	Names    []string `json:"names,omitempty"`
	Action   string   `json:"action"`
	ErrnoRet *uint    `json:"errnoRet,omitempty"`
	Errno    string   `json:"errno,omitempty"` // Podman
	Args     []Arg    `json:"args"`
	Comment  string   `json:"comment"`
	Includes *Filter  `json:"includes,omitempty"`
	Excludes *Filter  `json:"excludes,omitempty"`
}

type Arg struct {
	Index    uint   `json:"index"`
	Value    uint64 `json:"value"`
	ValueTwo uint64 `json:"valueTwo,omitempty"`
	Op       string `json:"op"`
}

type Filter struct {
	Caps      []string       `json:"caps,omitempty"`
	Arches    []string       `json:"arches,omitempty"`
	MinKernel *KernelVersion `json:"minKernel,omitempty"`
}

// KernelVersion is Docker's "MAJOR.MINOR", decoded by its own method as
// Docker's is: a JSON string, "" for 0.0 (left as it was), else exactly
// two decimal parts of 8 bits each, not both zero.
type KernelVersion struct {
	Kernel uint64
	Major  uint64
}

func (k *KernelVersion) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return fmt.Errorf("invalid kernel version %s: %v", data, err)
	}
	if text == "" {
		return nil
	}
	parts := strings.SplitN(text, ".", 3)
	if len(parts) != 2 {
		return fmt.Errorf("invalid kernel version %s", data)
	}
	var err error
	if k.Kernel, err = strconv.ParseUint(parts[0], 10, 8); err != nil {
		return fmt.Errorf("invalid kernel version %s: %v", data, err)
	}
	if k.Major, err = strconv.ParseUint(parts[1], 10, 8); err != nil {
		return fmt.Errorf("invalid kernel version %s: %v", data, err)
	}
	if k.Kernel == 0 && k.Major == 0 {
		return fmt.Errorf("invalid kernel version %s: 0.0", data)
	}
	return nil
}

// decode is Docker's reading, then the checks autoseccomp shares with it.
func decode(data []byte) (*Seccomp, error) {
	var profile *Seccomp
	if err := json.Unmarshal(data, &profile); err != nil {
		return nil, err
	}
	// Docker runs these unconfined; autoseccomp refuses them (DESIGN.md 9).
	if profile == nil {
		return nil, errors.New("profile is null")
	}
	if profile.DefaultAction == "" && len(profile.Syscalls) == 0 {
		return nil, errors.New("profile has no defaultAction and no syscalls")
	}
	if len(profile.Architectures) > 0 && len(profile.ArchMap) > 0 {
		return nil, errors.New("both 'architectures' and 'archMap' are specified")
	}
	for _, rule := range profile.Syscalls {
		// Docker's daemon dereferences every rule: a null one fails it.
		if rule == nil {
			return nil, errors.New("rule is null")
		}
		if rule.Name != "" && len(rule.Names) > 0 {
			return nil, errors.New("rule has both 'name' and 'names'")
		}
	}
	return profile, nil
}

// The canonical form.  Every byte of a string outside printable ASCII, and
// the quote and backslash, is written as \u00XX of the byte, so that Go and
// C escape alike and a test compares bytes, not characters.  A nil slice
// and an empty one print alike: no consumer of a profile tells them apart.
type writer struct{ strings.Builder }

func (w *writer) str(s string) {
	w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			fmt.Fprintf(w, "\\u%04x", c)
		} else {
			w.WriteByte(c)
		}
	}
	w.WriteByte('"')
}

func (w *writer) strs(list []string) {
	w.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			w.WriteByte(',')
		}
		w.str(s)
	}
	w.WriteByte(']')
}

func (w *writer) uintPtr(n *uint) {
	if n == nil {
		w.WriteString("null")
	} else {
		fmt.Fprintf(w, "%d", *n)
	}
}

func (w *writer) filter(f *Filter) {
	// A nil filter and an empty one print alike: Docker tests each
	// condition only when it is there.
	if f == nil {
		f = &Filter{}
	}
	w.WriteString(`{"caps":`)
	w.strs(f.Caps)
	w.WriteString(`,"arches":`)
	w.strs(f.Arches)
	w.WriteString(`,"minKernel":`)
	if f.MinKernel == nil {
		w.WriteString("null")
	} else {
		fmt.Fprintf(w, `"%d.%d"`, f.MinKernel.Kernel, f.MinKernel.Major)
	}
	w.WriteString("}")
}

func (w *writer) arg(a *Arg) {
	fmt.Fprintf(w, `{"index":%d,"value":%d,"valueTwo":%d,"op":`, a.Index, a.Value, a.ValueTwo)
	w.str(a.Op)
	w.WriteString("}")
}

func (w *writer) rule(r *Syscall) {
	w.WriteString(`{"name":`)
	w.str(r.Name)
	w.WriteString(`,"names":`)
	w.strs(r.Names)
	w.WriteString(`,"action":`)
	w.str(r.Action)
	w.WriteString(`,"errnoRet":`)
	w.uintPtr(r.ErrnoRet)
	w.WriteString(`,"errno":`)
	w.str(r.Errno)
	w.WriteString(`,"args":[`)
	for i := range r.Args {
		if i > 0 {
			w.WriteByte(',')
		}
		w.arg(&r.Args[i])
	}
	w.WriteString(`],"includes":`)
	w.filter(r.Includes)
	w.WriteString(`,"excludes":`)
	w.filter(r.Excludes)
	w.WriteString("}")
}

// The comment is left out: Docker reads it for its type alone.
func (w *writer) profile(p *Seccomp) {
	w.WriteString(`{"defaultAction":`)
	w.str(p.DefaultAction)
	w.WriteString(`,"defaultErrnoRet":`)
	w.uintPtr(p.DefaultErrnoRet)
	w.WriteString(`,"defaultErrno":`)
	w.str(p.DefaultErrno)
	w.WriteString(`,"architectures":`)
	w.strs(p.Architectures)
	w.WriteString(`,"archMap":[`)
	for i, a := range p.ArchMap {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(`{"architecture":`)
		w.str(a.Arch)
		w.WriteString(`,"subArchitectures":`)
		w.strs(a.SubArches)
		w.WriteString("}")
	}
	w.WriteString(`],"syscalls":[`)
	for i := range p.Syscalls {
		if i > 0 {
			w.WriteByte(',')
		}
		w.rule(p.Syscalls[i])
	}
	w.WriteString(`],"flags":`)
	w.strs(p.Flags)
	w.WriteString(`,"listenerPath":`)
	w.str(p.ListenerPath)
	w.WriteString(`,"listenerMetadata":`)
	w.str(p.ListenerMetadata)
	w.WriteString("}")
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go-decode PROFILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	profile, err := decode(data)
	var w writer
	if err != nil {
		w.WriteString(`{"ok":false,"error":`)
		w.str(err.Error())
		w.WriteString("}")
	} else {
		w.WriteString(`{"ok":true,"profile":`)
		w.profile(profile)
		w.WriteString("}")
	}
	fmt.Println(w.String())
}
