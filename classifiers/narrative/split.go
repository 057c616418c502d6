package narrative

import "hash/fnv"

// Part is one frozen part of a labelled data set: training, development (the only
// part any choice is tuned on) or test (reported only, never tuned on).
type Part string

// The three parts of every data set.
const (
	PartTrain Part = "train"
	PartDev   Part = "dev"
	PartTest  Part = "test"
)

// splitSalt versions the split rule: changing it would reshuffle every test split, so
// it never changes for the life of the reported figures.
const splitSalt = "kuzot-split-v1:"

// Split buckets of SplitOf, in percent of items: [0,testPercent) is test,
// [testPercent,testPercent+devPercent) is dev, the rest train.
const (
	testPercent = 20
	devPercent  = 15
)

// splitBucket is FNV-1a (32 bit) of "kuzot-split-v1:" + id, modulo 100.
func splitBucket(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(splitSalt))
	h.Write([]byte(id))
	return h.Sum32() % 100
}

// SplitOf is the one rule that decides the frozen part of any labelled item, from its
// id alone: bucket = FNV-1a-32("kuzot-split-v1:" + id) mod 100; bucket < 20 is test,
// 20 <= bucket < 35 is dev, the rest is train (20% / 15% / 65%). It is deterministic,
// independent of file order and stable when items are added.
//
// A data set that comes with its own held-out file (LT-EDI 2022: its dev file) uses that
// file as its test part; its train file is split by SplitTrainFile.
func SplitOf(id string) Part {
	switch b := splitBucket(id); {
	case b < testPercent:
		return PartTest
	case b < testPercent+devPercent:
		return PartDev
	default:
		return PartTrain
	}
}

// SplitTrainFile splits the items of a data set's given training file when the data
// set has its own test file: the same buckets as SplitOf, with the test bucket joining
// train (dev is still bucket 20-34, carved the same way).
func SplitTrainFile(id string) Part {
	if p := SplitOf(id); p == PartDev {
		return PartDev
	}
	return PartTrain
}

// HeldOut reports whether an item is in the frozen test part (SplitOf(id) == test).
func HeldOut(id string) bool { return SplitOf(id) == PartTest }

// Split divides examples into the part that may be trained and tuned on (train and
// dev) and the frozen test part, by SplitOf.
func Split(exs []Example) (trainDev, test []Example) {
	for _, e := range exs {
		if HeldOut(e.ID) {
			test = append(test, e)
		} else {
			trainDev = append(trainDev, e)
		}
	}
	return trainDev, test
}

// SplitParts divides examples into train, dev and test by each example's Part (set by
// the loaders) or, when Part is empty, by SplitOf.
func SplitParts(exs []Example) (train, dev, test []Example) {
	for _, e := range exs {
		p := e.Part
		if p == "" {
			p = SplitOf(e.ID)
		}
		switch p {
		case PartTest:
			test = append(test, e)
		case PartDev:
			dev = append(dev, e)
		default:
			train = append(train, e)
		}
	}
	return train, dev, test
}
