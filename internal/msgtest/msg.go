package msgtest

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf16"
)

// Property types ([MS-OXCDATA] 2.11.1).
const (
	TypeInt32   = 0x0003
	TypeBool    = 0x000B
	TypeObject  = 0x000D
	TypeString8 = 0x001E
	TypeUnicode = 0x001F
	TypeTime    = 0x0040
	TypeBinary  = 0x0102
)

// Prop is one MAPI property. Value is a string (TypeUnicode), []byte
// (TypeBinary, and TypeString8 already in the message's code page), int32,
// bool or time.Time.
type Prop struct {
	ID, Type uint16
	Value    any
}

// Unicode, String8, Binary, Int, Bool and Time build properties.
func Unicode(id uint16, s string) Prop { return Prop{id, TypeUnicode, s} }
func String8(id uint16, b []byte) Prop { return Prop{id, TypeString8, b} }
func Binary(id uint16, b []byte) Prop  { return Prop{id, TypeBinary, b} }
func Int(id uint16, v int32) Prop      { return Prop{id, TypeInt32, v} }
func Bool(id uint16, v bool) Prop      { return Prop{id, TypeBool, v} }
func Time(id uint16, t time.Time) Prop { return Prop{id, TypeTime, t} }

func propName(id, typ uint16) string { return fmt.Sprintf("__substg1.0_%04X%04X", id, typ) }

// propEntry is a property's 16 bytes in the properties stream: tag, flags
// (readable, writable), then the value (fixed-size types) or the size and
// 4 reserved bytes (the others).
func propEntry(id, typ uint16, value uint64) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint32(b, uint32(id)<<16|uint32(typ))
	binary.LittleEndian.PutUint32(b[4:], 6)
	binary.LittleEndian.PutUint64(b[8:], value)
	return b
}

// Message is an Outlook message: its properties, recipients and attachments.
type Message struct {
	Props       []Prop
	Recipients  [][]Prop
	Attachments []Attachment
}

// Attachment is one attachment: its properties (data in PidTagAttachDataBinary
// 0x3701 as a Binary property), or a message attached inside (Embedded).
type Attachment struct {
	Props    []Prop
	Embedded *Message
}

// File writes m as a .msg file.
func (m *Message) File() []byte {
	nameid := Storage("__nameid_version1.0",
		Stream(propName(0x0002, TypeBinary), nil), // GUIDs
		Stream(propName(0x0003, TypeBinary), nil), // entries
		Stream(propName(0x0004, TypeBinary), nil)) // strings
	return CFB(append(m.entries(32), nameid)...)
}

// entries are m's streams and storages; header is the size of its
// properties stream's header (32 for the file's message, 24 for one
// attached inside).
func (m *Message) entries(header int) []*Entry {
	h := make([]byte, header)
	binary.LittleEndian.PutUint32(h[8:], uint32(len(m.Recipients)))   // next recipient ID
	binary.LittleEndian.PutUint32(h[12:], uint32(len(m.Attachments))) // next attachment ID
	binary.LittleEndian.PutUint32(h[16:], uint32(len(m.Recipients)))
	binary.LittleEndian.PutUint32(h[20:], uint32(len(m.Attachments)))
	out := properties(h, m.Props)
	for i, r := range m.Recipients {
		out = append(out, Storage(fmt.Sprintf("__recip_version1.0_#%08X", i), properties(make([]byte, 8), r)...))
	}
	for i, a := range m.Attachments {
		kids := properties(make([]byte, 8), a.Props)
		if a.Embedded != nil {
			kids = append(kids, Storage(propName(0x3701, TypeObject), a.Embedded.entries(24)...))
			// The properties stream lists the object with size 0xFFFFFFFF.
			ps := kids[0]
			ps.Data = append(ps.Data, propEntry(0x3701, TypeObject, 0xFFFFFFFF)...)
		}
		out = append(out, Storage(fmt.Sprintf("__attach_version1.0_#%08X", i), kids...))
	}
	return out
}

// properties is the __properties_version1.0 stream (header, then one
// 16-byte entry a property) followed by a stream a variable-length value.
func properties(header []byte, props []Prop) []*Entry {
	ps := Stream("__properties_version1.0", header)
	out := []*Entry{ps}
	for _, p := range props {
		var value uint64
		switch v := p.Value.(type) {
		case string:
			data := make([]byte, 0, len(v)*2)
			for _, u := range utf16.Encode([]rune(v)) {
				data = binary.LittleEndian.AppendUint16(data, u)
			}
			value = uint64(len(data) + 2) // the size counts the terminating null
			out = append(out, Stream(propName(p.ID, p.Type), data))
		case []byte:
			value = uint64(len(v))
			if p.Type == TypeString8 {
				value++
			}
			out = append(out, Stream(propName(p.ID, p.Type), v))
		case int32:
			value = uint64(uint32(v))
		case bool:
			if v {
				value = 1
			}
		case time.Time: // FILETIME: 100 ns since 1601
			value = uint64(v.UnixNano()/100 + 116444736000000000)
		default:
			panic(fmt.Sprintf("property %04X: value of type %T", p.ID, p.Value))
		}
		e := propEntry(p.ID, p.Type, value)
		ps.Data = append(ps.Data, e...)
	}
	return out
}
