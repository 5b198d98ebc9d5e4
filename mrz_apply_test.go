package fieldprint

import (
	"reflect"
	"testing"
)

const specimen = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"

func TestMRZApply(t *testing.T) {
	m, err := ParseMRZ(specimen, testToday)
	if err != nil {
		t.Fatal(err)
	}
	// Empty fields are filled; nothing to decide.
	got, diffs := m.Apply(PersonInput{ID: 3})
	want := PersonInput{ID: 3, FullName: "Anna Maria Eriksson", DateOfBirth: "1974-08-12",
		Passport: PassportInput{Number: "L898902C3", Expiry: "2012-04-15", Nationality: "UTO", Sex: "F"}}
	if !reflect.DeepEqual(got, want) || len(diffs) != 0 {
		t.Errorf("Apply(empty) = %+v, %+v", got, diffs)
	}
	// The same person written with accents, family name first, lower-case
	// passport number: no differences, and the recorded spelling stays.
	rec := PersonInput{FullName: "Eriksson Anna Mária", DateOfBirth: "1974-08-12", Passport: PassportInput{Number: "l898902c3", Expiry: "2012-04-15"}}
	got, diffs = m.Apply(rec)
	if len(diffs) != 0 || got.FullName != rec.FullName || got.Passport.Nationality != "UTO" {
		t.Errorf("Apply(same person) = %+v, %+v", got, diffs)
	}
	// Real differences are listed and not applied.
	rec = PersonInput{FullName: "Anna Eriksson", DateOfBirth: "1974-08-21", Passport: PassportInput{Number: "L898902C4", Sex: "M"}}
	got, diffs = m.Apply(rec)
	var fields []string
	for _, d := range diffs {
		fields = append(fields, d.Field)
	}
	if !reflect.DeepEqual(fields, []string{FieldFullName, FieldDateOfBirth, FieldPassport, FieldSex}) {
		t.Errorf("differences %v", fields)
	}
	if got.FullName != "Anna Eriksson" || got.DateOfBirth != "1974-08-21" || got.Passport.Expiry != "2012-04-15" {
		t.Errorf("a difference was overwritten: %+v", got)
	}
	if all := m.UsePassport(rec); all.FullName != "Anna Maria Eriksson" || all.Passport.Sex != "F" {
		t.Errorf("UsePassport = %+v", all)
	}
}
