<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ConfusionModel</name>
    <message numerus="yes">
        <source>true {true} → predicted {predicted}: %n image(s)</source>
        <translation>
            <numerusform>true {true} → predicted {predicted}: %n image</numerusform>
            <numerusform>true {true} → predicted {predicted}: %n images</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n run(s) not saved: {names}.</source>
        <translation>
            <numerusform>%n run not saved: {names}.</numerusform>
            <numerusform>%n runs not saved: {names}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SamplesView</name>
    <message numerus="yes">
        <source>%n drawing(s) of {letter}</source>
        <translation>
            <numerusform>%n drawing of {letter}</numerusform>
            <numerusform>%n drawings of {letter}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drawing(s) in {folder}</source>
        <translation>
            <numerusform>%n drawing in {folder}</numerusform>
            <numerusform>%n drawings in {folder}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n sample(s) — Undo brings them back</source>
        <translation>
            <numerusform>Deleted %n sample — Undo brings them back</numerusform>
            <numerusform>Deleted %n samples — Undo brings them back</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Restored %n sample(s)</source>
        <translation>
            <numerusform>Restored %n sample</numerusform>
            <numerusform>Restored %n samples</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n sample(s) to {path}</source>
        <translation>
            <numerusform>Exported %n sample to {path}</numerusform>
            <numerusform>Exported %n samples to {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Imported %n sample(s) ({skipped} already there)</source>
        <translation>
            <numerusform>Imported %n sample ({skipped} already there)</numerusform>
            <numerusform>Imported %n samples ({skipped} already there)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainPlots</name>
    <message numerus="yes">
        <source>{run}: your %n sample(s) (training data)</source>
        <translation>
            <numerusform>{run}: your %n sample (training data)</numerusform>
            <numerusform>{run}: your %n samples (training data)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainTab</name>
    <message numerus="yes">
        <source>%n batch(es)/s</source>
        <translation>
            <numerusform>%n batch/s</numerusform>
            <numerusform>%n batches/s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n drawing(s) in my samples.</source>
        <translation>
            <numerusform>%n drawing in my samples.</numerusform>
            <numerusform>%n drawings in my samples.</numerusform>
        </translation>
    </message>
</context>
</TS>
