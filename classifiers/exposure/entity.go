package exposure

import "sort"

// EntityType is the kind of an entity found in a post, as written in the classify
// output ("type" of each entity).
type EntityType string

// The entity types of the classify output.
const (
	TypePerson       EntityType = "person"
	TypePhone        EntityType = "phone"
	TypeEmail        EntityType = "email"
	TypeNationalID   EntityType = "national_id"
	TypePassport     EntityType = "passport"
	TypeBirthDate    EntityType = "birth_date"
	TypeAddress      EntityType = "address"
	TypeVehiclePlate EntityType = "vehicle_plate"
	TypeSocialHandle EntityType = "social_handle"
	TypeSOGI         EntityType = "sogi"
	// TypeWorkplace is a workplace, school, class or job that locates a person ("работает
	// в аптеке на …", "4А классында окуйт").
	TypeWorkplace EntityType = "workplace"
	// TypeLocation is where a person lives or a daily routine or route ("живёт в …",
	// "забирают в 14:30 у ворот", "саат 12де чыгат").
	TypeLocation EntityType = "location"
)

// EntityTypes lists every type in output order; identifiers are all but person and sogi.
var EntityTypes = []EntityType{
	TypePerson, TypePhone, TypeEmail, TypeNationalID, TypePassport, TypeBirthDate,
	TypeAddress, TypeVehiclePlate, TypeSocialHandle, TypeSOGI, TypeWorkplace, TypeLocation,
}

// IsIdentifier reports whether the type is personal data that identifies or locates a
// person (everything except person names and SOGI statements).
func (t EntityType) IsIdentifier() bool { return t != TypePerson && t != TypeSOGI && t != "" }

// Entity is one span of a post: its type and byte offsets [Start, End) into the text.
// It deliberately carries no text, so results can be stored and forwarded without
// copying personal data.
type Entity struct {
	Type  EntityType `json:"type"`
	Start int        `json:"start"`
	End   int        `json:"end"`
}

// span is an entity with what the recognisers learnt about it. The canonical value of
// an identifier is kept only for the watchlist lookup during one Classify call and never
// leaves the package.
type span struct {
	Entity
	// sub is the recogniser that found it (kg_pin, kz_iin, ru_inn, ru_snils, kg_id_card,
	// ru_passport, phone_kg ...), for the decision trace.
	sub   string
	score float64
	canon string
	// official: an organisation's or authority's public contact (hotline, press office).
	official bool
	// self: the author discloses their own data ("мой номер", "I am gay").
	self bool
	// target: a third-person possessive or targeting phrase precedes it ("его номер",
	// "вот адрес этого"), so the data points at an identifiable person even without a name.
	target bool
	// generic: a SOGI word used about a group or topic ("ЛГБТ-пропаганда"), not a person.
	generic bool
	// public: a person named with an official role (депутат, министр).
	public bool
	// group: a plural or collective SOGI word ("геи", "ЛГБТ") that speaks about a group;
	// it states the orientation of every person of a list whose header carries it.
	group bool
	// quasi: a workplace, school or routine (TypeWorkplace, TypeLocation); personal data
	// only in a hostile context, a list, or two of them about one person.
	quasi bool
	// kin: a person named as the relative's anchor ("сын Кубанычбека …"); the relative
	// is a private person even when the named one is public.
	kin bool
	// listed: a person in a list row; headerClaim: the list header states their SOGI;
	// rowData: the row carries data about them (number, year, town, workplace).
	listed, headerClaim, rowData bool
	// rowFields: the row has further fields (a town, a job) that expose only in a
	// hostile post.
	rowFields bool
	// person is the index of the person span the entity is attached to, or -1.
	person int
	// member: watchlist refs matched by this span (indexes into the result's list).
	members []int
}

func sortSpans(ss []span) {
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].Start != ss[j].Start {
			return ss[i].Start < ss[j].Start
		}
		return ss[i].End > ss[j].End
	})
}

// overlaps reports whether two byte spans intersect.
func overlaps(aStart, aEnd, bStart, bEnd int) bool { return aStart < bEnd && bStart < aEnd }

// spanSet answers "does [a, b) overlap one of these spans" in O(log n); the spans of one
// recogniser never overlap each other, so the nearest span starting before b decides.
type spanSet struct{ starts, ends []int }

func newSpanSet(ss []span, keep func(*span) bool) spanSet {
	var set spanSet
	var picked []span
	for i := range ss {
		if keep(&ss[i]) {
			picked = append(picked, ss[i])
		}
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].Start < picked[j].Start })
	for _, p := range picked {
		set.starts = append(set.starts, p.Start)
		set.ends = append(set.ends, p.End)
	}
	return set
}

func (set spanSet) overlaps(a, b int) bool {
	// i = number of spans starting before b; check the last few of them.
	i := sort.SearchInts(set.starts, b)
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		if set.ends[k] > a {
			return true
		}
	}
	return false
}
