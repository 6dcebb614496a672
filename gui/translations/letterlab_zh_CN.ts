<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../app.py" line="101"/>
        <source>&amp;Language</source>
        <extracomment>Ask before quitting with a run in progress or unsaved runs (tests turn it off).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="106"/>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="119"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="120"/>
        <source>The new language takes effect when LetterLab restarts. Restart now?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
