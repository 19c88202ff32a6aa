package glrunners

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The checkpoint is an append-only text journal, one record a line:
//
//	{"format":"glrunners-bulk/1",...}   the plan: change and selection (JSON)
//	ids 11 12 13 ...                    the snapshot, sorted, 512 IDs a line
//	sealed 3 <sha256 of the IDs>        the snapshot is complete
//	i 12                                a write for runner 12 is about to be sent
//	d 12 done                           runner 12 is finished, with its outcome
//
// The plan and the snapshot are written to a temporary file, fsync'd and
// renamed into place, so a checkpoint exists only once its selection is
// complete. An intent is fsync'd before its write is sent (concurrent
// workers share one fsync: group commit); outcomes are only written, and
// reach the disk with the next fsync or at close: a lost outcome costs
// one GET on resume, never a second write. A line ends with '\n', so a
// last line without one is a record a crash cut short: it is ignored and
// cut off before appending.
const checkpointFormat = "glrunners-bulk/1"

const idsPerLine = 512

// Runner states in a checkpoint.
const (
	stNone   uint8 = iota // nothing sent
	stIntent              // a write may have been sent
	stDone                // finished
)

// bulkPlan is the first line of a checkpoint.
type bulkPlan struct {
	Format          string        `json:"format"`
	Change          bulkKind      `json:"change"`
	Tags            []string      `json:"tags,omitempty"`
	Note            *string       `json:"maintenance_note,omitempty"`
	UnmodifiedSince *time.Time    `json:"unmodified_since,omitempty"`
	Selection       selectionSpec `json:"selection"`
}

func newBulkPlan(ch BulkChange, sel BulkSelection, since time.Time) bulkPlan {
	p := bulkPlan{Format: checkpointFormat, Change: ch.kind, Selection: sel.spec()}
	switch ch.kind {
	case bulkTags:
		p.Tags = ch.tags
	case bulkNote:
		p.Note = Ptr(ch.note)
	}
	if !since.IsZero() {
		p.UnmodifiedSince = Ptr(since.UTC())
	}
	return p
}

func (p bulkPlan) change() BulkChange {
	ch := BulkChange{kind: p.Change, tags: p.Tags}
	if p.Note != nil {
		ch.note = *p.Note
	}
	return ch
}

func (p bulkPlan) since() time.Time {
	if p.UnmodifiedSince == nil {
		return time.Time{}
	}
	return *p.UnmodifiedSince
}

// matches refuses a checkpoint written for another change or selection.
func (p bulkPlan) matches(want bulkPlan, path string) error {
	got := p
	if !sameTags(got.Tags, want.Tags) || got.Change != want.Change || !equalPtr(got.Note, want.Note) ||
		!got.since().Equal(want.since()) {
		return fmt.Errorf("%w: %s holds %s; this call asks for %s: finish it with ResumeBulk, or use another path",
			ErrCheckpointMismatch, path, p.describe(), want.describe())
	}
	a, _ := json.Marshal(got.Selection)
	b, _ := json.Marshal(want.Selection)
	if !bytes.Equal(a, b) {
		return fmt.Errorf("%w: %s holds a %s of the selection %s; this call selects %s: finish it with ResumeBulk, or use another path",
			ErrCheckpointMismatch, path, p.Change, a, b)
	}
	return nil
}

func (p bulkPlan) describe() string {
	s := p.change().String()
	if p.UnmodifiedSince != nil {
		s += " unmodified since " + p.UnmodifiedSince.Format(time.RFC3339)
	}
	return s
}

// checkpoint is a loaded or new journal. f is nil for a run that writes
// none (no path, or a dry run).
type checkpoint struct {
	path  string
	plan  bulkPlan
	ids   []int64 // sorted, distinct
	state []uint8 // per ids index

	mu      sync.Mutex // guards f's writes, written, line
	f       *os.File
	written uint64 // records appended
	line    []byte
	err     error // the first write error: every later write fails too

	syncMu sync.Mutex // one fsync at a time
	synced uint64     // records known to be on disk
}

func memCheckpoint(p bulkPlan, ids []int64) *checkpoint {
	return &checkpoint{plan: p, ids: ids, state: make([]uint8, len(ids))}
}

// createCheckpoint writes the plan and the snapshot atomically (temporary
// file, fsync, rename, fsync of the directory) and opens it for appending.
func createCheckpoint(path string, p bulkPlan, ids []int64) (*checkpoint, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("glrunners: create checkpoint: %w", err)
	}
	err = writeSnapshot(f, p, ids)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("glrunners: write checkpoint: %w", err)
	}
	cp := memCheckpoint(p, ids)
	cp.path = path
	if cp.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return nil, fmt.Errorf("glrunners: open checkpoint: %w", err)
	}
	if err := lock(cp.f, path); err != nil {
		cp.f.Close()
		return nil, err
	}
	return cp, nil
}

func writeSnapshot(f *os.File, p bulkPlan, ids []int64) error {
	w := bufio.NewWriterSize(f, 64<<10)
	head, err := json.Marshal(p)
	if err != nil {
		return err
	}
	w.Write(append(head, '\n'))
	var b []byte
	for chunk := range slices.Chunk(ids, idsPerLine) {
		b = append(b[:0], "ids"...)
		for _, id := range chunk {
			b = strconv.AppendInt(append(b, ' '), id, 10)
		}
		w.Write(append(b, '\n'))
	}
	fmt.Fprintf(w, "sealed %d %s\n", len(ids), hashIDs(ids))
	return w.Flush()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err // some platforms cannot sync a directory: nothing more to do there
	}
	return nil
}

// openCheckpoint loads the checkpoint at path; writable opens it for
// appending, after cutting off a torn last line.
//
// A writable checkpoint is locked before it is read, so that what is read
// is not changing under another run's appends; the lock lasts until close.
func openCheckpoint(path string, writable bool) (*checkpoint, error) {
	flag := os.O_RDONLY
	if writable {
		flag = os.O_RDWR | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("glrunners: open checkpoint: %w", err)
	}
	if writable {
		if err := lock(f, path); err != nil {
			f.Close()
			return nil, err
		}
	}
	cp, complete, err := readCheckpoint(f, path)
	if err == nil && writable {
		err = f.Truncate(complete)
		if err != nil {
			err = fmt.Errorf("glrunners: checkpoint: cut its torn last line: %w", err)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if !writable {
		f.Close()
		return cp, nil
	}
	cp.f = f
	return cp, nil
}

// readCheckpoint parses a journal and returns the length of its complete
// lines.
func readCheckpoint(r io.Reader, path string) (*checkpoint, int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	corrupt := func(n int, why string) error {
		return fmt.Errorf("%w: %s line %d: %s", ErrCheckpointCorrupt, path, n, why)
	}
	cp := &checkpoint{path: path}
	var complete int64
	sealed := false
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, 0, corrupt(n, "line too long")
		}
		if err != nil { // io.EOF: a last line without '\n' is torn; ignore it
			if !sealed {
				return nil, 0, corrupt(n, "ends before the selection is sealed")
			}
			return cp, complete, nil
		}
		complete += int64(len(line))
		line = line[:len(line)-1]
		var why string
		switch {
		case n == 1:
			if json.Unmarshal(line, &cp.plan) != nil || cp.plan.Format != checkpointFormat {
				return nil, 0, corrupt(n, "not a "+checkpointFormat+" checkpoint")
			}
			continue
		case !sealed:
			why = cp.readSnapshot(line)
			sealed = why == "" && bytes.HasPrefix(line, []byte("sealed "))
		default:
			why = cp.readRecord(line)
		}
		if why != "" {
			return nil, 0, corrupt(n, why)
		}
	}
}

func (cp *checkpoint) readSnapshot(line []byte) string {
	if rest, ok := bytes.CutPrefix(line, []byte("ids ")); ok {
		for f := range bytes.FieldsSeq(rest) {
			id, err := strconv.ParseInt(string(f), 10, 64)
			if err != nil || id <= 0 || len(cp.ids) > 0 && id <= cp.ids[len(cp.ids)-1] {
				return "bad or unsorted runner ID " + strconv.Quote(string(f))
			}
			cp.ids = append(cp.ids, id)
		}
		return ""
	}
	want := fmt.Sprintf("sealed %d %s", len(cp.ids), hashIDs(cp.ids))
	if string(line) != want {
		return "the snapshot does not match its seal"
	}
	cp.state = make([]uint8, len(cp.ids))
	return ""
}

func (cp *checkpoint) readRecord(line []byte) string {
	kind, rest, _ := bytes.Cut(line, []byte(" "))
	idText, outcome, _ := bytes.Cut(rest, []byte(" "))
	id, err := strconv.ParseInt(string(idText), 10, 64)
	i, found := slices.BinarySearch(cp.ids, id)
	if err != nil || !found {
		return "record for a runner outside the selection"
	}
	switch {
	case string(kind) == "i" && len(outcome) == 0:
		cp.state[i] = max(cp.state[i], stIntent)
	case string(kind) == "d" && terminal(BulkOutcome(outcome)):
		cp.state[i] = stDone
	default:
		return "unknown record"
	}
	return ""
}

// terminal reports whether an outcome finishes a runner for good.
func terminal(o BulkOutcome) bool {
	return o == BulkDone || o == BulkAlreadyGone || o == BulkChanged
}

// intent records that the write for ids[i] is about to be sent and
// returns once the record is on disk.
func (cp *checkpoint) intent(i int) error {
	seq, err := cp.append("i", cp.ids[i], "")
	if err != nil {
		return err
	}
	cp.state[i] = stIntent
	return cp.sync(seq)
}

// done records the outcome of ids[i]; it reaches the disk with the next
// sync.
func (cp *checkpoint) done(i int, o BulkOutcome) error {
	_, err := cp.append("d", cp.ids[i], o)
	cp.state[i] = stDone
	return err
}

func (cp *checkpoint) append(kind string, id int64, o BulkOutcome) (uint64, error) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if cp.f == nil || cp.err != nil {
		return cp.written, cp.err
	}
	b := strconv.AppendInt(append(append(cp.line[:0], kind...), ' '), id, 10)
	if o != "" {
		b = append(append(b, ' '), o...)
	}
	cp.line = append(b, '\n')
	if _, err := cp.f.Write(cp.line); err != nil {
		cp.err = fmt.Errorf("glrunners: write checkpoint: %w", err)
		return 0, cp.err
	}
	cp.written++
	return cp.written, nil
}

// sync makes every record up to seq durable. Callers that arrive while
// another fsync runs wait for it and are then usually covered by the next
// one, which takes in all records written meanwhile.
func (cp *checkpoint) sync(seq uint64) error {
	cp.syncMu.Lock()
	defer cp.syncMu.Unlock()
	if cp.f == nil || cp.synced >= seq {
		return nil
	}
	cp.mu.Lock()
	upto := cp.written
	cp.mu.Unlock()
	if err := cp.f.Sync(); err != nil {
		return fmt.Errorf("glrunners: sync checkpoint: %w", err)
	}
	cp.synced = upto
	return nil
}

func (cp *checkpoint) close() error {
	if cp.f == nil {
		return nil
	}
	cp.mu.Lock()
	n := cp.written
	cp.mu.Unlock()
	err := cp.sync(n)
	if cerr := cp.f.Close(); err == nil {
		err = cerr
	}
	return err
}
